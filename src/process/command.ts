// Running an external program (docker, cdk) with its output streamed to the log and kept for messages.
import { spawn } from 'node:child_process';

import type { CommandResult } from '../operations/ports.ts';

export type { CommandResult };

export interface CommandOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin (e.g. a registry password), never to the log. */
  input?: string;
  /** Called with each line of output as it arrives. */
  onLine?: (line: string) => void;
  /** Stop the program (SIGTERM, then SIGKILL 10 s later) after this long; the result says timedOut. */
  timeoutMs?: number;
}

const KILL_GRACE_MS = 10_000;

export type CommandRunner = (
  command: string,
  args: readonly string[],
  options?: CommandOptions,
) => Promise<CommandResult>;

export const runCommand: CommandRunner = (command, args, options = {}) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const chunks = { stdout: '', stderr: '' };
    for (const stream of ['stdout', 'stderr'] as const) {
      let pending = '';
      child[stream]?.setEncoding('utf8').on('data', (chunk: string) => {
        chunks[stream] += chunk;
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) options.onLine?.(line);
      });
      child[stream]?.on('end', () => {
        if (pending) options.onLine?.(pending);
      });
    }
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(`${command} is not installed or not on PATH`) : error);
    });
    let timedOut = false;
    const timers: NodeJS.Timeout[] = [];
    if (options.timeoutMs !== undefined) {
      timers.push(
        setTimeout(() => {
          timedOut = true;
          child.kill('SIGTERM');
          timers.push(setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS));
        }, options.timeoutMs),
      );
    }
    child.on('close', (code, signal) => {
      for (const timer of timers) clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? 128 : 1), ...chunks, ...(timedOut ? { timedOut } : {}) });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/** Removes terminal colour codes from captured output. */
export function stripAnsi(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the escape character is the point
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
}
