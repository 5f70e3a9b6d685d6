// The bundled environments action, run as the runner runs it: the deploy matrix from the sample config, and a
// broken config that lists nothing.

import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireValidConfig } from '../../src/config/valid-config.ts';
import { environmentEntries } from '../../src/contract/matrix.ts';
import { runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

describe('environments action (bundled)', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'environments-action-'));
    await cp(SAMPLE_CONFIG_DIR, join(workspace, 'config'), { recursive: true });
    await cp(SAMPLE_CONFIG_DIR, join(workspace, 'broken'), { recursive: true });
    const deployment = join(workspace, 'broken', 'deployment.yaml');
    await writeFile(deployment, (await readFile(deployment, 'utf8')).replace(/account: .*/, 'account: nope'));
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('sets the deploy matrix the CLI prints, in deployment order', async () => {
    const run = await runAction('environments', { cwd: workspace });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const { config } = await requireValidConfig(SAMPLE_CONFIG_DIR);
    const all = JSON.parse(run.outputs.all ?? '');
    expect(all).toEqual(environmentEntries(config.deployment));
    expect(all.map((entry: { name: string }) => entry.name)).toEqual(
      config.deployment.environments.map((env) => env.name),
    );
  });

  it('fails on an invalid config, saying where, and sets no matrix', async () => {
    const run = await runAction('environments', { cwd: workspace, inputs: { 'config-dir': 'broken' } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.all).toBeUndefined();
    expect(run.stdout).toContain('::error::broken has errors');
    expect(run.stdout).toMatch(/deployment\.yaml:\d+:\d+/);
  });
});
