// Long setup steps say what they do, why, and how far they are: a line when they start, then every ten seconds
// the time so far and the step's latest output line, so a first run is never minutes of silence.
import { spawn } from 'node:child_process';

const HEARTBEAT_MS = 10_000;

export function say(line) {
  console.log(`setup: ${line}`);
}

/**
 * Runs a command, showing progress; resolves with its exit status and the last lines of its output.
 * `what` names the step in the progress lines.
 */
export function runWithProgress(cmd, args, { what, ...options } = {}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const tail = [];
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    const keep = (chunk) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) tail.push(line.trim());
      }
      tail.splice(0, Math.max(0, tail.length - 5));
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setInterval(() => {
      const seconds = Math.round((Date.now() - started) / 1000);
      say(`  ... ${what}: ${seconds} s${tail.length ? `, ${tail.at(-1).slice(0, 100)}` : ''}`);
    }, HEARTBEAT_MS);
    const finish = (status, error) => {
      clearInterval(timer);
      resolve({
        status,
        output: error ? error.message : tail.join('\n'),
        seconds: (Date.now() - started) / 1000,
      });
    };
    child.on('error', (error) => finish(null, error));
    child.on('close', (status) => finish(status));
  });
}
