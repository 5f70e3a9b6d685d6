// Behaviour over time with the real nginx: pooled upstream connections, following a Lattice name to a new
// address, applying a new allowlist by reload, and what the two stop signals do to a request in flight.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { compileAccess } from '../../src/access/access-groups.ts';
import { type Config, upstreamName } from '../../src/config/model.ts';
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

async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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

  test('TLS follows a Lattice name to its new address', async () => {
    const orders = config.services.services.find((service) => service.name === 'orders');
    if (!orders) throw new Error('the example config has an orders service');
    expect(await proxy.tls(orders.domain, CLIENT)).toMatchObject({ service: 'orders' });
    const records = new Map(
      config.services.services.map((service) => [
        upstreamName(service),
        { a: [proxy.addresses[service.name] as string] },
      ]),
    );
    try {
      // Lattice moves the service: its name now answers with the address where the inventory stand-in listens.
      proxy.dns.setRecords(
        new Map([...records, [upstreamName(orders), { a: [proxy.addresses.inventory as string] }]]),
      );
      const moved = await eventually(
        () => proxy.tls(orders.domain, CLIENT),
        (outcome) => 'service' in outcome && outcome.service === 'inventory',
      );
      expect(moved).toEqual({ service: 'inventory', servername: orders.domain });
    } finally {
      proxy.dns.setRecords(records);
    }
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
