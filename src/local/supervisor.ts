// One owner for everything the local stack starts: child processes, servers and the temporary directory.
// Each resource registers how to stop it when it is created; stop() runs those steps once, newest first, whether
// the stack ends normally, on an error during startup, or on SIGINT/SIGTERM. A last synchronous pass on process
// exit kills any child still alive, so even an unexpected crash leaves no nginx or haproxy behind.
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface StartedProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Everything the process wrote to stdout and stderr, for error messages. */
  output(): string;
}

interface Cleanup {
  name: string;
  run: () => Promise<void> | void;
}

const STOP_GRACE_MS = 3_000;
const OUTPUT_LIMIT = 64 * 1024;

export class Supervisor {
  readonly #cleanups: Cleanup[] = [];
  readonly #live = new Set<number>();
  readonly #started: { name: string; pid: number }[] = [];
  readonly #tempDirs: string[] = [];
  #stopping: Promise<void> | undefined;
  #removeExitHook: () => void;

  constructor() {
    // Synchronous last resort: 'exit' handlers cannot await, so only signals and rmSync are possible here.
    const onExit = () => this.#killAllNow();
    process.on('exit', onExit);
    this.#removeExitHook = () => process.off('exit', onExit);
  }

  /** Every process started so far (alive or not), for tests that check nothing outlives the stack. */
  get started(): readonly { name: string; pid: number }[] {
    return this.#started;
  }

  /** Every temporary directory made so far (all removed on stop). */
  get tempDirs(): readonly string[] {
    return this.#tempDirs;
  }

  get stopping(): boolean {
    return this.#stopping !== undefined;
  }

  /** Registers a stop step; steps run in reverse order of registration. */
  defer(name: string, run: () => Promise<void> | void): void {
    this.#assertRunning();
    this.#cleanups.push({ name, run });
  }

  /** A fresh temporary directory, removed on stop. */
  tempDir(prefix = 'lattice-ingress-'): string {
    this.#assertRunning();
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.#tempDirs.push(dir);
    this.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /**
   * Starts a long-running process and registers its stop: `stopSignal`, then SIGKILL after a grace period.
   * Rejects if the program cannot be started at all (e.g. not installed).
   */
  async spawn(
    name: string,
    command: string,
    args: readonly string[],
    options: SpawnOptions & { stopSignal?: NodeJS.Signals } = {},
  ): Promise<StartedProcess> {
    this.#assertRunning();
    const { stopSignal = 'SIGTERM', ...spawnOptions } = options;
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions });
    let output = '';
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const exited = new Promise<number | string>((resolve) =>
      child.once('close', (code, signal) => resolve(code ?? signal ?? 'unknown')),
    );
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) =>
        reject(new Error(`cannot start ${name} (${command}): ${error.message}`)),
      );
    });
    const pid = child.pid as number;
    this.#live.add(pid);
    this.#started.push({ name, pid });
    void exited.then(() => this.#live.delete(pid));
    this.defer(`stop ${name}`, () => stopProcess(child, exited, stopSignal));
    return { name, pid, child, exited, output: () => output };
  }

  /** Records a process started by other code (e.g. an nginx master) so the exit hook can still kill it. */
  track(name: string, pid: number): void {
    this.#live.add(pid);
    this.#started.push({ name, pid });
  }

  untrack(pid: number): void {
    this.#live.delete(pid);
  }

  /** Runs every stop step once, newest first; later calls return the same promise. Never rejects. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      const failures: string[] = [];
      for (const cleanup of this.#cleanups.reverse()) {
        try {
          await cleanup.run();
        } catch (error) {
          failures.push(`${cleanup.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      this.#killAllNow();
      this.#removeExitHook();
      if (failures.length > 0) console.error(`while stopping: ${failures.join('; ')}`);
    })();
    return this.#stopping;
  }

  /**
   * Stops everything on SIGINT/SIGTERM, then exits with the code `onSignal` returns (it may also print why).
   * Returns a function that removes the handlers, for callers that stop by themselves.
   */
  stopOnSignals(onSignal: (signal: NodeJS.Signals) => number): () => void {
    const handler = (signal: NodeJS.Signals) => {
      const code = onSignal(signal);
      void this.stop().then(() => process.exit(code));
    };
    process.once('SIGINT', handler);
    process.once('SIGTERM', handler);
    return () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    };
  }

  #killAllNow(): void {
    for (const pid of this.#live) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    this.#live.clear();
  }

  #assertRunning(): void {
    if (this.#stopping) throw new Error('the local stack is stopping');
  }
}

async function stopProcess(
  child: ChildProcess,
  exited: Promise<number | string>,
  signal: NodeJS.Signals,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
