// A configuration the suite has never seen: the sample with the changes a new operator makes on the first day
// (a partner range and a service pasted from docs/operations.md, a bigger fleet, their own environments) must
// pass the config gate (validate, render every environment, nginx -t, offline synth with cdk-nag) and the local
// stack's checks. Nothing else in the suite may depend on the sample's values.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/model.ts';
import { stackNames } from '../../src/contract/names.ts';
import { testNginxConfig } from '../../src/local/nginx.ts';
import { renderProxy, writeRendered } from '../../src/render/render.ts';
import { runCli } from '../local/support.ts';
import { debianTarget } from '../proxy/debian-target.ts';
import { pasteSnippet, yamlSnippets } from '../support/doc-snippets.ts';
import { REPO_ROOT } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

/** Step 1 of "Before the first deployment": the operator's own environments replace the sample's. */
const OWN_DEPLOYMENT = `environments:
  - name: eu-test
    account: "210987654321"
    region: eu-west-1
    mode: private
    vpcCidr: 10.100.0.0/20
    serviceNetworkId: sn-0aaaabbbbccccdddd
    github:
      repository: acme-corp/edge-ingress
  - name: eu-live
    account: "123456789012"
    region: eu-west-1
    mode: public
    vpcCidr: 10.101.0.0/20
    serviceNetworkId: sn-0ddddccccbbbbaaaa
    github:
      repository: acme-corp/edge-ingress
`;

let scratch: string;
let configDir: string;
let config: Config;

async function edit(file: string, replacements: [string | RegExp, string][]) {
  let text = await readFile(join(configDir, file), 'utf8');
  for (const [from, to] of replacements) {
    const changed = text.replace(from, to);
    if (changed === text) throw new Error(`${file}: ${from} not found`);
    text = changed;
  }
  await writeFile(join(configDir, file), text);
}

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'held-out-'));
  configDir = join(scratch, 'config');
  await cp(SAMPLE_CONFIG_DIR, configDir, { recursive: true });
  for (const snippet of yamlSnippets(await readFile(join(REPO_ROOT, 'docs/operations.md'), 'utf8')))
    await pasteSnippet(configDir, snippet);
  await edit('scaling.yaml', [
    [/^maxTasks: \d+$/m, 'maxTasks: 20'],
    [/^taskCpu: \d+$/m, 'taskCpu: 1024'],
    [/^taskMemoryMiB: \d+$/m, 'taskMemoryMiB: 2048'],
    [/^minTasks: \d+$/m, 'minTasks: 3'],
  ]);
  await edit('deployment.yaml', [[/^environments:[\s\S]*$/m, OWN_DEPLOYMENT]]);
  const loaded = await loadConfig(configDir);
  if (!loaded.config)
    throw new Error(`the held-out config is invalid: ${JSON.stringify(loaded.diagnostics)}`);
  config = loaded.config;
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('an operator-edited configuration', () => {
  it('carries the four changes', () => {
    expect(config.deployment.environments.map((env) => env.name)).toEqual(['eu-test', 'eu-live']);
    expect(config.services.services.map((service) => service.name)).toContain('billing');
    expect(config.allowlist.entries.map((entry) => entry.cidr)).toContain('203.0.113.64/27');
    expect(config.scaling).toMatchObject({ maxTasks: 20, taskCpu: 1024, taskMemoryMiB: 2048 });
  });

  it('validates with the CLI', async () => {
    const run = runCli(['validate', '--config', configDir]);
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
  });

  it('renders every environment, and nginx -t accepts each rendering', async () => {
    for (const env of config.deployment.environments) {
      const dir = join(scratch, 'nginx', env.name);
      await writeRendered(renderProxy(config, debianTarget(config, env, dir)), dir);
      const result = await testNginxConfig({ dir });
      expect(result.ok, result.output).toBe(true);
    }
  });

  it('synthesizes offline with cdk-nag, every stack of every environment', async () => {
    const out = join(scratch, 'cdk.out');
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_)/.test(key) && key !== 'HOME'),
    );
    const result = spawnSync(
      join(REPO_ROOT, 'node_modules/.bin/cdk'),
      ['synth', '--quiet', '--output', out],
      {
        cwd: REPO_ROOT,
        env: { ...env, HOME: join(scratch, 'home'), LATTICE_INGRESS_CONFIG_DIR: configDir },
        encoding: 'utf8',
        timeout: 220_000,
      },
    );
    expect(result.status, result.stderr + result.stdout).toBe(0);
    const files = await readdir(out);
    for (const environment of config.deployment.environments) {
      const names = stackNames(environment);
      for (const name of [names.access, names.registry, names.ingress])
        expect(files).toContain(`${name}.template.json`);
    }
  }, 240_000);

  it('passes the local stack checks (start --once), the new service included', async () => {
    const run = runCli(['start', '--once', '--config', configDir], 120_000);
    const { code } = await run.exited;
    const output = run.output();
    expect(code, output).toBe(0);
    expect(output).toMatch(/billing\s+443\s+200\s+200\s+.*ok/);
    expect(output).not.toMatch(/FAILED/);
  }, 150_000);
});
