// GitHub runs every action's committed bundle on Node 24 (runs.using: node24), while this machine's Node may be
// older. Each bundle runs here on the Node 24 that `npm run setup` caches, and must behave exactly as on the Node
// running the tests. To run every runner-style test on it: ACTION_TEST_NODE=.tmp/node24/bin/node npx vitest run test/actions
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE24 } from '../support/node24.ts';
import { type ActionRun, REPO_ROOT, runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

const actions = (await readdir(join(REPO_ROOT, 'actions'), { withFileTypes: true }))
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

let workspace: string;
beforeAll(async () => {
  workspace = await mkdtemp(join(tmpdir(), 'node24-'));
  await cp(SAMPLE_CONFIG_DIR, join(workspace, 'config'), { recursive: true });
});
afterAll(() => rm(workspace, { recursive: true, force: true }));

/** Each action run without inputs in the workspace, on this Node and on Node 24: once, for every test that compares them. */
const runs = new Map<string, Promise<[ActionRun, ActionRun]>>();
function onBothNodes(name: string, node24: string): Promise<[ActionRun, ActionRun]> {
  let both = runs.get(name);
  if (!both) {
    both = Promise.all([
      runAction(name, { cwd: workspace, node: process.execPath }),
      runAction(name, { cwd: workspace, node: node24 }),
    ]);
    runs.set(name, both);
  }
  return both;
}

describe.skipIf(!NODE24.node)('action bundles on Node 24', () => {
  const node24 = NODE24.node as string;

  it.each(actions)(
    '%s: without inputs ends as on this Node (same exit code and annotations), with no runtime warning',
    async (name) => {
      const [current, next] = await onBothNodes(name, node24);
      expect(next.exitCode, next.stdout + next.stderr).toBe(current.exitCode);
      expect(next.annotations).toEqual(current.annotations);
      expect(next.exitCode).not.toBeNull();
      expect(next.stderr).not.toMatch(/Warning:|node:internal|at file:/);
    },
  );

  it('validate: passes on the sample configuration with the same outputs and summary', async () => {
    // Without inputs, validate reads config/ of the workspace: the sample.
    const [current, next] = await onBothNodes('validate', node24);
    expect(next.exitCode, next.stdout + next.stderr).toBe(0);
    expect(next.outputs).toEqual(current.outputs);
    expect(next.summary).toBe(current.summary);
    expect(next.stderr).not.toMatch(/Warning:/);
  });
});
