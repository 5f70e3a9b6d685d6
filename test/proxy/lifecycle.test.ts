// Behaviour over time with the real nginx: pooled upstream connections, applying a new allowlist by reload, and what
// the two stop signals do to a request in flight. Following a Lattice name to a new address: resolve.test.ts.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileAccess } from '../../src/access/access-groups.ts';
import type { Config } from '../../src/config/model.ts';
import { ALLOWLIST_FILE } from '../../src/render/render.ts';
import { exampleConfig } from './example-config.ts';
import { echoOf, type Harness, httpGet, startHarness } from './harness.ts';

const CLIENT = '198.51.100.7';
let config: Config;
let proxy: Harness;

beforeAll(async () => {
  config = await exampleConfig();
  proxy = await startHarness(config);
});
afterAll(() => proxy?.stop());

describe('upstream connections', () => {
  test('HTTP requests from separate client connections share pooled upstream connections', async () => {
    const seen = new Set<string>();
    const requests = 12;
    for (let i = 0; i < requests; i++) {
      seen.add(echoOf(await proxy.http(httpGet('orders.example.com', `/${i}`), CLIENT)).from);
    }
    // One pool per worker: far fewer upstream connections than requests (each client connection was closed).
    expect(seen.size).toBeLessThan(requests / 2);
  });
});

describe('reload', () => {
  test('a new allowlist.conf applies on reload, in both HTTP and TLS', async () => {
    const newcomer = '192.0.2.200';
    expect(await proxy.http(httpGet('orders.example.com'), newcomer)).toMatchObject({ status: 403 });
    const path = join(proxy.dir, ALLOWLIST_FILE);
    // An entry with the same access as the others lands in their group, which nginx.conf already maps.
    const { entries } = compileAccess([...config.allowlist.entries, { cidr: '192.0.2.192/26' }], 512);
    await writeFile(path, entries.map((e) => `${e.cidr} ${e.group};\n`).join(''));
    await proxy.nginx.reload();
    expect(await proxy.http(httpGet('orders.example.com'), newcomer)).toMatchObject({ status: 200 });
    expect(await proxy.tls('orders.example.com', newcomer)).toMatchObject({ service: 'orders' });
    expect(await proxy.http(httpGet('orders.example.com'), '192.0.2.191')).toMatchObject({ status: 403 });
  });
});

describe('stopping', () => {
  const slowRequest = httpGet('orders.example.com', '/slow/1500');

  test('SIGQUIT (the image STOPSIGNAL) lets a request in flight finish', async () => {
    const own = await startHarness(config);
    try {
      const inFlight = own.http(slowRequest, CLIENT);
      await new Promise((resolve) => setTimeout(resolve, 400));
      const stopped = own.nginx.stop('SIGQUIT');
      const outcome = await inFlight;
      expect(outcome).toMatchObject({ status: 200 });
      expect(echoOf(outcome).url).toBe('/slow/1500');
      expect(await stopped).toBe(0);
    } finally {
      await own.stop();
    }
  });

  test('SIGTERM cuts it', async () => {
    const own = await startHarness(config);
    try {
      const inFlight = own.http(slowRequest, CLIENT);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await own.nginx.stop('SIGTERM');
      expect(await inFlight).toEqual({ closed: true });
    } finally {
      await own.stop();
    }
  });
});
