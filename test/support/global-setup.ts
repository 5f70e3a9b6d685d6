// Once per test run, before any test file: the directory of the run's shared results (./run-cache.ts).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

export const RUN_CACHE_DIR = 'runCacheDir';

declare module 'vitest' {
  export interface ProvidedContext {
    [RUN_CACHE_DIR]: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'lattice-ingress-run-'));
  project.provide(RUN_CACHE_DIR, dir);
  return () => rm(dir, { recursive: true, force: true });
}
