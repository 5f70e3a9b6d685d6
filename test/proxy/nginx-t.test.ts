// `nginx -t` with the real binary for every environment of the example config: the debian rendering on Debian's
// nginx 1.22 and the image rendering on nginx 1.30 (nginx-under-test.ts). 1.22 does not know `resolve` on upstream
// servers (1.27.3 does), which is why render.test.ts also pins the two renderings to each other line by line.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Config, type Environment, upstreamName } from '../../src/config/model.ts';
import { testNginxConfig } from '../../src/local/nginx.ts';
import { type RenderTarget, renderProxy, writeRendered } from '../../src/render/render.ts';
import { debianTarget } from './debian-target.ts';
import { exampleConfig } from './example-config.ts';
import { nginxUnderTest } from './nginx-under-test.ts';

const build = nginxUnderTest();
const nginxT = (envDir: string) =>
  testNginxConfig({ dir: envDir, command: build.command, globals: build.globals });
let config: Config;
let dir: string;
beforeAll(async () => {
  config = await exampleConfig();
  dir = await mkdtemp(join(tmpdir(), 'lattice-nginx-t-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The environment's own target (writable paths in a temporary directory), in the flavour of the nginx under test. */
function localTarget(env: Environment, runtime: string): RenderTarget {
  return { ...debianTarget(config, env, runtime), flavour: build.flavour };
}

describe(`nginx -t (${build.label})`, () => {
  test('accepts every example environment', async () => {
    for (const env of config.deployment.environments) {
      const envDir = join(dir, env.name);
      await writeRendered(renderProxy(config, localTarget(env, envDir)), envDir);
      const result = await nginxT(envDir);
      expect(result.output).toContain('test is successful');
      expect(result.ok).toBe(true);
    }
  });

  test('accepts the longest names the config model allows (253 characters, 1,000 services)', async () => {
    const label = (char: string, length: number) => char.repeat(length);
    const long = (i: number) =>
      `${label('a', 63)}.${label('b', 63)}.${label('c', 63)}.${String(i).padStart(4, '0')}${label('d', 53)}.com`;
    expect(long(0)).toHaveLength(253);
    const template = config.services.services[0] as Config['services']['services'][number];
    const services = Array.from({ length: 1_000 }, (_, i) => ({
      ...template,
      name: `service-${i}`,
      domain: long(i),
      latticeDomain: undefined,
      ports: [80, 443] as (80 | 443)[],
    }));
    const big = { ...config, services: { services } };
    const envDir = join(dir, 'long-names');
    const target = {
      ...localTarget(config.deployment.environments[0] as Environment, envDir),
      upstreamAddresses: {},
    };
    target.upstreamAddresses = Object.fromEntries(services.map((s) => [s.domain, '127.0.0.1']));
    await writeRendered(renderProxy(big, target), envDir);
    const result = await nginxT(envDir);
    expect(result.output).toContain('test is successful');
  });

  test('builds every map without a warning at 200 services and 100 access groups (40,000 access keys)', async () => {
    const template = config.services.services[0] as Config['services']['services'][number];
    const services = Array.from({ length: 200 }, (_, i) => ({
      ...template,
      name: `service-${i}`,
      domain: `service-${i}.example.com`,
      latticeDomain: undefined,
      ports: [80, 443] as (80 | 443)[],
    }));
    // Each entry reaches every service but one: a group of its own.
    const entries = Array.from({ length: 100 }, (_, i) => ({
      cidr: `10.0.${i}.0/24`,
      description: `group ${i}`,
      services: services.filter((_, s) => s !== i).map((service) => service.name),
    }));
    const big = { ...config, services: { services }, allowlist: { ...config.allowlist, entries } };
    const envDir = join(dir, 'many-groups');
    const target = {
      ...localTarget(config.deployment.environments[0] as Environment, envDir),
      upstreamAddresses: Object.fromEntries(services.map((s) => [upstreamName(s), '127.0.0.1'])),
    };
    await writeRendered(renderProxy(big, target), envDir);
    const result = await nginxT(envDir);
    expect(result.output).toContain('test is successful');
    expect(result.output).not.toContain('[warn]');
  });

  test('rejects a broken file, so the check above can fail', async () => {
    const env = config.deployment.environments[0] as Environment;
    const envDir = join(dir, 'broken');
    const files = renderProxy(config, localTarget(env, envDir));
    files.set('allowlist.conf', '198.51.100.0/24 1\n');
    await writeRendered(files, envDir);
    const result = await nginxT(envDir);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/\[emerg\]/);
  });
});
