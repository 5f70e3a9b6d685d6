// `lattice-ingress render` as a person runs it: the files it writes are the rendered ones, and a config with an
// error writes nothing.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { Environment } from '../../src/config/model.ts';
import { renderProxy, renderTargetFor } from '../../src/render/render.ts';
import { EXAMPLE_CONFIG_DIR, exampleConfig } from './example-config.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-render-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const error = vi.spyOn(console, 'error').mockImplementation((...parts) => lines.push(parts.join(' ')));
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    return { code: await main(args), stderr: lines.join('\n') };
  } finally {
    error.mockRestore();
    log.mockRestore();
  }
}

test('writes the files renderProxy produces for the environment', async () => {
  const config = await exampleConfig();
  const env = config.deployment.environments[1] as Environment;
  const out = join(dir, 'good');
  const { code } = await run(['render', '--env', env.name, '--config', EXAMPLE_CONFIG_DIR, '--out', out]);
  expect(code).toBe(0);
  for (const [name, content] of renderProxy(config, renderTargetFor(env))) {
    expect(await readFile(join(out, name), 'utf8')).toBe(content);
  }
});

test('refuses a config with an error and writes nothing', async () => {
  const configDir = join(dir, 'bad-config');
  await cp(EXAMPLE_CONFIG_DIR, configDir, { recursive: true });
  const services = await readFile(join(configDir, 'services.yaml'), 'utf8');
  await writeFile(
    join(configDir, 'services.yaml'),
    services.replace('domain: orders.example.com', 'domain: "orders.example.com; include /etc/passwd"'),
  );
  const out = join(dir, 'bad');
  const { code, stderr } = await run(['render', '--env', 'staging', '--config', configDir, '--out', out]);
  expect(code).toBe(1);
  expect(stderr).toMatch(/services\.yaml:\d+:\d+/);
  expect(stderr).toContain('nothing was rendered');
  await expect(readdir(out)).rejects.toThrow(/ENOENT/);
});

test('refuses an unknown environment and flavour', async () => {
  expect((await run(['render', '--env', 'nope', '--config', EXAMPLE_CONFIG_DIR])).stderr).toMatch(
    /no environment "nope".*staging, production/,
  );
  // A usage error: exit 2, with the flavours to choose from.
  const flavour = await run(['render', '--env', 'staging', '--flavour', 'alpine']);
  expect(flavour.code).toBe(2);
  expect(flavour.stderr).toContain('use one of image, debian');
});
