// Runs a real nginx on a rendered configuration directory: `nginx -t`, start in the foreground, wait until it
// listens, reload, and stop with a chosen signal. Used by the proxy tests, the local stack and the benchmarks.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MAIN_FILE } from '../render/render.ts';
import { waitForPort } from './ports.ts';
import { childPids } from './proc.ts';

const run = promisify(execFile);
const OUTPUT_LIMIT = 256 * 1024;

export interface NginxOptions {
  /** Directory holding the rendered files; relative includes resolve against it. */
  dir: string;
  /** The main file inside dir. */
  config?: string;
  /** nginx -p; defaults to dir. */
  prefix?: string;
  /** The argv that runs nginx (see nginx-builds.ts); defaults to `nginx` on the PATH. */
  command?: readonly string[];
  /**
   * Extra -g directives. `daemon off;` is always added; a pid file only if the config does not set one (the
   * rendered config does, see RenderTarget.paths).
   */
  globals?: string;
  /** Sockets to wait for before start() resolves. */
  waitFor?: readonly { host: string; port: number }[];
  startTimeoutMs?: number;
}

export interface NginxProcess {
  pid: number;
  /** Everything nginx wrote to stderr (and stdout) so far. */
  output(): string;
  /** Resolves with the exit code, or the signal name, when the master process ends. */
  exited: Promise<number | string>;
  /**
   * SIGHUP, then waits until new workers run the new configuration and every old worker has stopped accepting
   * connections. Reads nginx's notice-level lines on stderr (`error_log stderr notice;`, as rendered).
   */
  reload(timeoutMs?: number): Promise<void>;
  /**
   * SIGQUIT drains (open connections finish), SIGTERM closes at once. Sends SIGKILL if the master is still
   * alive after timeoutMs. Resolves with the exit status.
   */
  stop(signal?: 'SIGQUIT' | 'SIGTERM', timeoutMs?: number): Promise<number | string>;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort when the Node process ends without stopping what it started. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of running) killNow(child);
  });
}

/** SIGKILL for the master and its workers: killed alone, a master would leave its workers serving. */
function killNow(child: ChildProcess): void {
  if (child.pid === undefined) return;
  for (const worker of childPids(child.pid)) {
    try {
      process.kill(worker, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  child.kill('SIGKILL');
}

function commonArgs(options: NginxOptions): string[] {
  const config = join(options.dir, options.config ?? MAIN_FILE);
  // -e stderr: before the config is read, nginx would otherwise open its compiled-in error log path.
  return ['-p', options.prefix ?? options.dir, '-c', config, '-e', 'stderr'];
}

function globals(options: NginxOptions): string {
  // nginx started as root (as in CI containers) would hand workers to `nobody`, which cannot reach a private
  // temporary directory; keep them as the current user instead.
  const user = process.getuid?.() === 0 ? 'user root;' : '';
  return ['daemon off;', user, options.globals ?? ''].filter(Boolean).join(' ');
}

/** `nginx -t`: resolves with ok and nginx's own words. */
export async function testNginxConfig(options: NginxOptions): Promise<{ ok: boolean; output: string }> {
  try {
    const [binary, ...prefix] = options.command ?? ['nginx'];
    const { stderr, stdout } = await run(binary as string, [
      ...prefix,
      ...commonArgs(options),
      '-g',
      globals(options),
      '-t',
    ]);
    return { ok: true, output: `${stdout}${stderr}` };
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string; message: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? failure.message}` };
  }
}

export async function startNginx(options: NginxOptions): Promise<NginxProcess> {
  installExitHook();
  const [binary, ...prefix] = options.command ?? ['nginx'];
  const child = spawn(binary as string, [...prefix, ...commonArgs(options), '-g', globals(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  let partialLine = '';
  // Counted as lines arrive, so a reload is seen even after old output was trimmed.
  let workerStarts = 0;
  let workerShutdowns = 0;
  let emergencies = 0;
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-OUTPUT_LIMIT);
    const lines = (partialLine + text).split('\n');
    partialLine = lines.pop() ?? '';
    workerStarts += lines.filter((line) => line.includes('start worker process')).length;
    workerShutdowns += lines.filter((line) => line.includes('gracefully shutting down')).length;
    emergencies += lines.filter((line) => line.includes('[emerg]')).length;
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | string>((resolve) =>
    child.once('close', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) => reject(new Error(`cannot start nginx: ${error.message}`)));
  });

  const handle: NginxProcess = {
    pid: child.pid as number,
    output: () => output,
    exited,
    async reload(timeoutMs = 10_000) {
      const oldWorkers = childPids(child.pid as number).length;
      const startsBefore = workerStarts;
      const shutdownsBefore = workerShutdowns;
      const emergenciesBefore = emergencies;
      child.kill('SIGHUP');
      const deadline = Date.now() + timeoutMs;
      // Old workers log "gracefully shutting down" as they close their listening sockets.
      while (workerStarts === startsBefore || workerShutdowns - shutdownsBefore < oldWorkers) {
        if (emergencies > emergenciesBefore) throw new Error(`nginx reload failed:\n${output}`);
        if (Date.now() > deadline) throw new Error(`nginx did not reload within ${timeoutMs} ms:\n${output}`);
        await sleep(20);
      }
    },
    async stop(signal = 'SIGQUIT', timeoutMs = 15_000) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill(signal);
        const timer = setTimeout(() => killNow(child), timeoutMs);
        await exited;
        clearTimeout(timer);
      }
      return exited;
    },
  };

  const timeoutMs = options.startTimeoutMs ?? 10_000;
  const startFailed = exited.then((status) => {
    throw new Error(`nginx exited (${status}) while starting:\n${output}`);
  });
  try {
    // A listening port alone proves little: nginx keeps the sockets it could bind while it retries one it could
    // not. Workers are forked only once every socket is bound and the configuration is in place.
    await Promise.race([
      Promise.all([
        ...(options.waitFor ?? []).map(({ host, port }) => waitForPort(host, port, timeoutMs)),
        waitForWorkers(handle.pid, timeoutMs),
      ]),
      startFailed,
    ]);
  } catch (error) {
    await handle.stop('SIGTERM');
    throw error;
  }
  startFailed.catch(() => {});
  return handle;
}

async function waitForWorkers(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (childPids(pid).length === 0) {
    if (Date.now() > deadline) throw new Error(`nginx started no worker within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
