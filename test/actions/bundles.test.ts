// Every action's committed dist/ must be exactly what `npm run bundle` produces from the current sources and lock
// file: a workflow runs dist/index.js directly, so a stale bundle would silently run old code.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPO_ROOT } from '../support/run-action.ts';

const run = promisify(execFile);
const actionsDir = join(REPO_ROOT, 'actions');

async function actionNames(): Promise<string[]> {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  const names: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory())) {
    const files = await readdir(join(actionsDir, entry.name));
    if (files.includes('main.ts')) names.push(entry.name);
  }
  return names.sort();
}

const script = join(REPO_ROOT, 'scripts/bundle-actions.mjs');

describe('action bundles', async () => {
  const names = await actionNames();
  let fresh: string;
  beforeAll(async () => {
    fresh = await mkdtemp(join(tmpdir(), 'bundles-'));
    await run(process.execPath, [script, '--outdir', fresh], { cwd: REPO_ROOT });
  }, 120_000);
  afterAll(() => rm(fresh, { recursive: true, force: true }));

  it('exist for the deploy actions', () => {
    expect(names).toEqual(expect.arrayContaining(['validate']));
  });

  it.each(names)(
    '%s: committed dist/ equals a fresh build (run `npm run bundle` and commit)',
    async (name) => {
      for (const file of ['dist/index.js', 'dist/package.json']) {
        const built = await readFile(join(fresh, name, file), 'utf8');
        const committed = await readFile(join(actionsDir, name, file), 'utf8').catch(() => '<missing>');
        // Compare sizes and a short message first: a multi-megabyte diff helps nobody.
        expect(committed === built, `actions/${name}/${file} is stale`).toBe(true);
      }
    },
  );

  it.each(names)('%s: action.yml runs dist/index.js on node24', async (name) => {
    const metadata = parse(await readFile(join(actionsDir, name, 'action.yml'), 'utf8'));
    expect(metadata.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  describe('bundle-actions --check', () => {
    // --check bundles again and compares byte for byte, so a pass against the fresh build above also shows that
    // the same sources bundle to the same bytes twice.
    it('passes against a build of the same sources: the same bytes twice', async () => {
      const ok = await run(process.execPath, [script, '--check', '--committed', fresh, 'validate']);
      expect(ok.stdout).toContain('1 action bundle(s) up to date');
    }, 60_000);

    it('fails naming the file when one byte differs', async () => {
      const committed = await mkdtemp(join(tmpdir(), 'bundles-committed-'));
      try {
        await cp(join(fresh, 'validate'), join(committed, 'validate'), { recursive: true });
        const index = join(committed, 'validate', 'dist', 'index.js');
        await writeFile(index, `${await readFile(index, 'utf8')};\n`);
        await expect(
          run(process.execPath, [script, '--check', '--committed', committed, 'validate']),
        ).rejects.toMatchObject({
          code: 1,
          stderr: expect.stringMatching(/Stale action bundles[\s\S]*validate\/dist\/index\.js differs/),
        });
      } finally {
        await rm(committed, { recursive: true, force: true });
      }
    }, 60_000);

    it('refuses an action that has no main.ts', async () => {
      await expect(run(process.execPath, [script, '--check', 'no-such-action'])).rejects.toMatchObject({
        stderr: expect.stringContaining('no actions/<name>/main.ts for: no-such-action'),
      });
    });
  });
});
