// What several test files of one run would otherwise each compute again (a CDK synthesis costs seconds of CPU), kept
// as JSON in a directory the global setup (test/support/global-setup.ts) creates for the run and removes after it.
// Test files run isolated, in parallel workers: the first to need a value computes it while the others wait for it.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { inject } from 'vitest';
import { RUN_CACHE_DIR } from './global-setup.ts';

/** `compute()` once per test run for the same kind and key (any JSON value); its result must be JSON. */
export async function oncePerRun<T>(kind: string, key: unknown, compute: () => T | Promise<T>): Promise<T> {
  const hash = createHash('sha256').update(JSON.stringify(key)).digest('hex').slice(0, 32);
  const file = join(inject(RUN_CACHE_DIR), `${kind}-${hash}.json`);
  const lock = `${file}.lock`;
  for (;;) {
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
    try {
      closeSync(openSync(lock, 'wx'));
    } catch {
      await sleep(100); // another worker is computing it
      continue;
    }
    try {
      const value = await compute();
      writeFileSync(`${file}.partial`, JSON.stringify(value));
      renameSync(`${file}.partial`, file);
      return value;
    } finally {
      rmSync(lock, { force: true });
    }
  }
}
