// `resolve` on the upstream servers (the image rendering, nginx >= 1.27.3): Lattice may move a service to new
// addresses at any time, and HTTP's pooled connections and new TLS connections must follow within the resolver's
// validity. nginx 1.22 cannot `resolve` upstream servers; its rendering pins them at start, so this suite runs on
// nginx 1.30 only.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Config, upstreamName } from '../../src/config/model.ts';
import { exampleConfig } from './example-config.ts';
import { echoOf, type Harness, httpGet, keepAliveClient, startHarness } from './harness.ts';
import { nginxUnderTest } from './nginx-under-test.ts';

const CLIENT = '198.51.100.7';
const build = nginxUnderTest();
let config: Config;
let proxy: Harness;

describe(`resolve on upstream servers (${build.label})`, () => {
  beforeAll(async () => {
    config = await exampleConfig();
    proxy = await startHarness(config);
  });
  afterAll(() => proxy?.stop());

  test('HTTP traffic, keepalive clients included, moves to a Lattice name’s new address within the validity', async () => {
    const { orders, records } = ordersAndRecords();
    const keepAlive = await keepAliveClient(proxy.ports.http, CLIENT);
    try {
      const before = JSON.parse((await keepAlive.get(orders.domain)).body);
      expect(before.service).toBe('orders');
      expect(echoOf(await proxy.http(httpGet(orders.domain), CLIENT)).service).toBe('orders');

      // Lattice moves the service: its name now answers with the address where the inventory stand-in listens.
      proxy.dns.setRecords(
        new Map([...records, [upstreamName(orders), { a: [proxy.addresses.inventory as string] }]]),
      );
      const moved = Date.now();
      const validMs = proxy.target.resolver.validSeconds * 1000;
      let keepAliveMovedAfter: number | undefined;
      let newClientsMovedAfter: number | undefined;
      while (Date.now() - moved < validMs + 3000 && !(keepAliveMovedAfter && newClientsMovedAfter)) {
        const viaKeepAlive = JSON.parse((await keepAlive.get(orders.domain)).body);
        if (!keepAliveMovedAfter && viaKeepAlive.service === 'inventory')
          keepAliveMovedAfter = Date.now() - moved;
        const viaNew = echoOf(await proxy.http(httpGet(orders.domain), CLIENT));
        if (!newClientsMovedAfter && viaNew.service === 'inventory')
          newClientsMovedAfter = Date.now() - moved;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // nginx looks the name up again once the answer it holds is `valid=` old, so traffic moves at most one
      // validity after the change plus one lookup; two more seconds absorb the polling step on a loaded machine.
      const bound = validMs + 2000;
      expect(keepAliveMovedAfter, 'the keepalive client moved').toBeLessThan(bound);
      expect(newClientsMovedAfter, 'new clients moved').toBeLessThan(bound);
      // And it stays moved: the old address is no longer used by any pooled connection.
      for (let i = 0; i < 10; i++) {
        expect(JSON.parse((await keepAlive.get(orders.domain)).body).service).toBe('inventory');
      }
    } finally {
      keepAlive.close();
      await moveBack(orders.domain, records);
    }
  });

  test('new TLS connections move to a Lattice name’s new address within the validity', async () => {
    const { orders, records } = ordersAndRecords();
    expect(await proxy.tls(orders.domain, CLIENT)).toMatchObject({ service: 'orders' });
    try {
      proxy.dns.setRecords(
        new Map([...records, [upstreamName(orders), { a: [proxy.addresses.inventory as string] }]]),
      );
      const moved = Date.now();
      const validMs = proxy.target.resolver.validSeconds * 1000;
      let movedAfter: number | undefined;
      while (Date.now() - moved < validMs + 3000 && !movedAfter) {
        const outcome = await proxy.tls(orders.domain, CLIENT);
        if ('service' in outcome && outcome.service === 'inventory') movedAfter = Date.now() - moved;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(movedAfter, 'new TLS connections moved').toBeLessThan(validMs + 2000);
      for (let i = 0; i < 5; i++) {
        expect(await proxy.tls(orders.domain, CLIENT)).toMatchObject({ service: 'inventory' });
      }
    } finally {
      await moveBack(orders.domain, records);
    }
  });
});

function ordersAndRecords() {
  const orders = config.services.services.find((service) => service.name === 'orders');
  if (!orders) throw new Error('the example config has an orders service');
  const records = new Map(
    config.services.services.map((service) => [
      upstreamName(service),
      { a: [proxy.addresses[service.name] as string] },
    ]),
  );
  return { orders, records };
}

/** Puts the records back and waits until nginx forwards to them again, so the next test starts where this began. */
async function moveBack(domain: string, records: Map<string, { a: string[] }>): Promise<void> {
  proxy.dns.setRecords(records);
  const deadline = Date.now() + proxy.target.resolver.validSeconds * 1000 + 5000;
  while (Date.now() < deadline) {
    const tls = await proxy.tls(domain, CLIENT);
    const http = echoOf(await proxy.http(httpGet(domain), CLIENT));
    if ('service' in tls && tls.service === 'orders' && http.service === 'orders') return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${domain} did not move back to its own stand-in`);
}
