// `cdk synth` as a user runs it, on a machine with no AWS credentials, configuration or context: every environment's
// templates appear, nothing is looked up; a broken config stops the app before any template is written.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stackNames } from '../../src/contract/names.ts';
import { EXAMPLE_CONFIG_DIR, exampleConfig, REPOSITORY_ROOT } from './fixtures.ts';

let scratch: string;

/** The current environment minus anything that could reach AWS or reuse a user's CDK settings. */
function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_)/.test(key) && key !== 'HOME'),
  );
  return { ...env, HOME: home, ...extra };
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lattice-ingress-synth-'));
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('offline synth', () => {
  it('produces the templates of every environment of the config without credentials or lookups', async () => {
    const home = join(scratch, 'home');
    const out = join(scratch, 'cdk.out');
    const result = spawnSync(
      join(REPOSITORY_ROOT, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--output', out],
      {
        cwd: REPOSITORY_ROOT,
        env: isolatedEnv(home, { LATTICE_INGRESS_CONFIG_DIR: EXAMPLE_CONFIG_DIR }),
        encoding: 'utf8',
        timeout: 220_000,
      },
    );
    expect(result.stderr + result.stdout).not.toMatch(/credentials|lookup/i);
    expect(result.status).toBe(0);

    const files = await readdir(out);
    for (const env of (await exampleConfig()).deployment.environments) {
      const names = stackNames(env);
      const expected = [
        names.access,
        names.registry,
        names.ingress,
        ...(env.exampleProvider ? [names.example] : []),
      ];
      for (const name of expected) expect(files).toContain(`${name}.template.json`);
    }
    // No context had to be fetched: the manifest lists no missing lookups.
    const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.missing).toBeUndefined();
  }, 240_000);

  it('refuses to synthesize a configuration with errors, naming the file, line and column', async () => {
    const config = join(scratch, 'broken-config');
    const out = join(scratch, 'broken.out');
    await cp(EXAMPLE_CONFIG_DIR, config, { recursive: true });
    const deployment = await readFile(join(config, 'deployment.yaml'), 'utf8');
    await writeFile(join(config, 'deployment.yaml'), deployment.replace('mode: private', 'mode: sideways'));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/bin/app.ts'], {
      cwd: REPOSITORY_ROOT,
      env: isolatedEnv(join(scratch, 'home'), { LATTICE_INGRESS_CONFIG_DIR: config, CDK_OUTDIR: out }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/deployment\.yaml:\d+:\d+: error: .*mode/);
    expect(result.stderr).toContain('not synthesizing');
    await expect(readdir(out)).rejects.toThrow();
  }, 120_000);
});
