// Helpers for the local-stack tests: run the CLI as a user would, and find processes a run may have left behind.
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.ts';
import { type Config, ServiceSchema } from '../../src/config/model.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

export const ROOT = join(import.meta.dirname, '..', '..');
export const CLI = join(ROOT, 'bin', 'lattice-ingress.mjs');

/** Pids of running processes whose command line contains `text` (e.g. a stack's temporary directory). */
export function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

export interface CliRun {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves when `pattern` appears in the output (rejects if the process ends first). */
  waitFor(pattern: RegExp): Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `lattice-ingress <args>` in the repository root; killed after `timeoutMs` at the latest. */
export function runCli(args: string[], timeoutMs = 60_000): CliRun {
  return runInRoot(process.execPath, [CLI, ...args], timeoutMs);
}

/** Starts a command in the repository root; killed after `timeoutMs` at the latest. */
export function runInRoot(command: string, args: string[], timeoutMs = 60_000): CliRun {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    output += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    }),
  );
  const waitFor = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) {
          listeners.delete(check);
          resolve(match);
        }
      };
      listeners.add(check);
      check();
      void exited.then(() => {
        if (listeners.has(check)) reject(new Error(`exited before printing ${pattern}:\n${output}`));
      });
    });
  return { child, output: () => output, waitFor, exited };
}

/** The example configuration with one unsigned service on both ports: what reload and stop tests send through. */
export async function echoServiceConfig(): Promise<Config> {
  const { config } = await loadConfig(SAMPLE_CONFIG_DIR);
  if (!config) throw new Error('the example configuration is invalid');
  const service = ServiceSchema.parse({
    name: 'echo',
    domain: 'echo-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
    ports: [80, 443],
    auth: 'none',
  });
  return { ...config, services: { services: [service] } };
}

/** Resolves once `condition` holds; polls, since what it watches (a counter) has no event. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
