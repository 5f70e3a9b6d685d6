// The access log of the real nginx running the rendered config: every line is JSON naming the service and the
// outcome, refused TLS connections are not logged as 200, and every metric filter and documented query finds
// exactly the lines it claims to.
import { readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  EXAMPLE_CLIENT,
  LOG_METRICS,
  LOG_QUERIES,
  matches,
  OUTCOMES,
  queryText,
} from '../../infra/constructs/access-log.ts';
import type { Config } from '../../src/config/model.ts';
import { exampleConfig } from './example-config.ts';
import { type Harness, type HarnessOptions, hold, httpGet, startHarness } from './harness.ts';

const ALLOWED = EXAMPLE_CLIENT;
const OFF_LIST = '203.0.113.9';
const UNKNOWN = 'unknown.example.com';
/** Listed for inventory only: refused orders as not granted, not as off the list. */
const INVENTORY_ONLY = { cidr: '192.0.2.64/28', description: 'Inventory only', services: ['inventory'] };
const NOT_GRANTED = { http: '192.0.2.70', tls: '192.0.2.71' };

type Line = Record<string, unknown>;
let config: Config;
let proxy: Harness;
let lines: Line[];

/** One of each kind of request and connection, each tagged by its path or client so its line can be found. */
beforeAll(async () => {
  const example = await exampleConfig();
  config = {
    ...example,
    allowlist: { ...example.allowlist, entries: [...example.allowlist.entries, INVENTORY_ONLY] },
  };
  proxy = await startWithEmptyLog(config);
  await proxy.http(httpGet('orders.example.com', '/served'), ALLOWED);
  await proxy.http(httpGet('orders.example.com', '/off-list'), OFF_LIST);
  await proxy.http(httpGet('orders.example.com', '/not-granted'), NOT_GRANTED.http);
  await proxy.http(httpGet(UNKNOWN, '/unknown'), ALLOWED);
  await proxy.http('GET /no-host HTTP/1.0\r\n\r\n', ALLOWED);
  await proxy.tls('inventory.example.com', ALLOWED);
  await proxy.tls('inventory.example.com', '203.0.113.10');
  await proxy.tls('orders.example.com', NOT_GRANTED.tls);
  await proxy.tls(UNKNOWN, '198.51.100.11');
  await proxy.tls(undefined, '198.51.100.12');
  lines = await waitForLines((all) => all.filter((line) => line.listener === 'tls').length >= 5);
});
afterAll(() => proxy?.stop());

const byPath = (path: string) => lines.find((line) => line.path === path);
const tlsFrom = (client: string) => lines.find((line) => line.listener === 'tls' && line.client === client);

describe('every line says what happened', () => {
  test('HTTP: the service (or -) and the outcome, next to the status', () => {
    expect(byPath('/served')).toMatchObject({ service: 'orders', outcome: OUTCOMES.served, status: 200 });
    expect(byPath('/off-list')).toMatchObject({ service: 'orders', outcome: OUTCOMES.offList, status: 403 });
    expect(byPath('/unknown')).toMatchObject({ service: '-', outcome: OUTCOMES.unknownName, status: 421 });
  });

  test('a listed client refused a service its entry does not grant is refused-not-granted, not off the list', () => {
    expect(byPath('/not-granted')).toMatchObject({
      client: NOT_GRANTED.http,
      service: 'orders',
      outcome: OUTCOMES.notGranted,
      status: 403,
    });
    expect(tlsFrom(NOT_GRANTED.tls)).toMatchObject({
      service: 'orders',
      outcome: OUTCOMES.notGranted,
      status: 403,
    });
  });

  test('no Host (HTTP/1.0) and no SNI are logged as empty, not as unprintable', () => {
    expect(byPath('/no-host')).toMatchObject({ host: '', outcome: OUTCOMES.unknownName, status: 421 });
    expect(tlsFrom('198.51.100.12')).toMatchObject({ sni: '', outcome: OUTCOMES.unknownName, status: 403 });
  });

  test('TLS: a refused connection is logged as 403 with its reason, never as 200', () => {
    expect(tlsFrom(ALLOWED)).toMatchObject({ service: 'inventory', outcome: OUTCOMES.served, status: 200 });
    expect(tlsFrom('203.0.113.10')).toMatchObject({
      service: 'inventory',
      outcome: OUTCOMES.offList,
      status: 403,
    });
    expect(tlsFrom('198.51.100.11')).toMatchObject({
      service: '-',
      sni: UNKNOWN,
      outcome: OUTCOMES.unknownName,
      status: 403,
    });
  });

  test('the proxy address Lattice sees as the source, and the Lattice address used, are logged', () => {
    expect(byPath('/served')).toMatchObject({
      task: '127.0.0.1',
      upstream: `${proxy.addresses.orders}:${proxy.target.upstreamPorts.http}`,
    });
    expect(tlsFrom(ALLOWED)).toMatchObject({
      task: '127.0.0.1',
      upstream: `${proxy.addresses.inventory}:${proxy.target.upstreamPorts.tls}`,
    });
  });
});

describe('the filters find what they claim, in real log lines', () => {
  const found = (filter: Parameters<typeof matches>[0]) => lines.filter((line) => matches(filter, line));
  const served = () => [byPath('/served'), tlsFrom(ALLOWED)];
  const tlsRefusals = () => [
    tlsFrom('203.0.113.10'),
    tlsFrom(NOT_GRANTED.tls),
    tlsFrom('198.51.100.11'),
    tlsFrom('198.51.100.12'),
  ];
  const refusals = () => [
    byPath('/off-list'),
    byPath('/not-granted'),
    byPath('/unknown'),
    byPath('/no-host'),
    ...tlsRefusals(),
  ];
  const unknownNames = () => [
    byPath('/unknown'),
    byPath('/no-host'),
    tlsFrom('198.51.100.11'),
    tlsFrom('198.51.100.12'),
  ];

  test('metric filters', () => {
    expect(found(LOG_METRICS.status2xx.filter)).toEqual(served());
    expect(found(LOG_METRICS.status4xx.filter)).toEqual(refusals());
    expect(found(LOG_METRICS.status5xx.filter)).toEqual([]);
    expect(found(LOG_METRICS.refusedOffList.filter)).toEqual([byPath('/off-list'), tlsFrom('203.0.113.10')]);
    expect(found(LOG_METRICS.refusedNotGranted.filter)).toEqual([
      byPath('/not-granted'),
      tlsFrom(NOT_GRANTED.tls),
    ]);
    expect(found(LOG_METRICS.refusedUnknownName.filter)).toEqual(unknownNames());
    expect(found(LOG_METRICS.refusedTls.filter)).toEqual(tlsRefusals());
    expect(found(LOG_METRICS.refusals.filter)).toEqual(refusals());
    expect(found(LOG_METRICS.httpRequestTime.filter)).toEqual([byPath('/served')]);
    expect(typeof byPath('/served')?.request_time).toBe('number');
  });

  test('documented queries', () => {
    expect(found(LOG_QUERIES.topRefusedClients.filter)).toEqual(refusals());
    expect(found(LOG_QUERIES.latencyPerService.filter)).toEqual([byPath('/served')]);
    expect(found(LOG_QUERIES.oneClient.filter)).toEqual([
      byPath('/served'),
      byPath('/unknown'),
      byPath('/no-host'),
      tlsFrom(ALLOWED),
    ]);
    expect(found(LOG_QUERIES.refusedHosts.filter)).toEqual([byPath('/unknown'), byPath('/no-host')]);
    expect(found(LOG_QUERIES.unknownNames.filter)).toEqual(unknownNames());
    expect(found(LOG_QUERIES.refusedOneClient.filter)).toEqual([byPath('/unknown'), byPath('/no-host')]);
    expect(found(LOG_QUERIES.notGranted.filter)).toEqual([byPath('/not-granted'), tlsFrom(NOT_GRANTED.tls)]);
    expect(found(LOG_QUERIES.outcomesPerService.filter)).toEqual(lines);
  });

  test('upstream errors: a Lattice address that stops answering is counted, refusals are not', async () => {
    const orders = config.services.services.find((service) => service.name === 'orders');
    if (!orders) throw new Error('the example config has an orders service');
    // The Lattice address nginx holds for the service stops answering: the connection fails, with 502.
    await proxy.closeTlsStandIn(orders.name);
    const before = lines.length;
    await proxy.tls(orders.domain, ALLOWED);
    const after = await waitForLines((all) => all.length > before);
    const failed = after.slice(before);
    expect(failed).toEqual([
      expect.objectContaining({
        service: 'orders',
        outcome: OUTCOMES.served,
        status: 502,
        upstream: `${proxy.addresses.orders}:${proxy.target.upstreamPorts.tls}`,
      }),
    ]);
    const errors = after.filter((line) => matches(LOG_QUERIES.upstreamErrors.filter, line));
    expect(errors).toEqual(failed);
    expect(after.filter((line) => matches(LOG_METRICS.upstreamErrors.filter, line))).toEqual(failed);
  });

  test("a request a limit rejects is logged as refused-limit, with the limit's status", async () => {
    // One request in progress per client at a time (connectionsPerClient: 1): the first is held open waiting for
    // a body that never comes, so a second one is over the limit for as long as the test needs.
    await withConfig(
      { ...config, allowlist: { ...config.allowlist, connectionsPerClient: 1 } },
      async (limited) => {
        const unfinished = 'POST /held HTTP/1.1\r\nHost: orders.example.com\r\nContent-Length: 10\r\n\r\n';
        // Until nginx has read the held request's headers, a second one is not over the limit: ask until it is.
        const untilRefused = async () => {
          let path = '/second-0';
          let refused = await limited.http(httpGet('orders.example.com', path), ALLOWED);
          for (let attempt = 1; !('status' in refused && refused.status === 429) && attempt < 20; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            path = `/second-${attempt}`;
            refused = await limited.http(httpGet('orders.example.com', path), ALLOWED);
          }
          return { refused, path };
        };
        const { refused, path } = await whileHeld(limited, untilRefused, limited.ports.http, unfinished);
        expect(refused).toMatchObject({ status: 429 });
        const written = await waitForLines(
          (all) => all.some((line) => line.path === path),
          join(limited.dir, 'access.log'),
        );
        const second = written.find((line) => line.path === path) ?? {};
        expect(second).toMatchObject({ service: 'orders', outcome: OUTCOMES.limit, status: 429 });
        expect(matches(LOG_QUERIES.topRefusedClients.filter, second)).toBe(true);
        expect(matches(LOG_METRICS.upstreamErrors.filter, second)).toBe(false);
      },
    );
  });

  test('a TLS connection a limit rejects is logged as refused-limit with 503, not as an unknown name', async () => {
    // One connection per client at a time (connectionsPerClient: 1); the first one is held open before its ClientHello.
    await withConfig(
      { ...config, allowlist: { ...config.allowlist, connectionsPerClient: 1 } },
      async (limited) => {
        // nginx counts a held connection once it has read its PROXY header, and a second one is then rejected. On a
        // loaded machine nginx 1.30 now and then never counts the held connection (about 1 run in 10-25 with both
        // cores busy, with this test as it was before too), so a round that is not refused starts over with a
        // fresh held connection: what is under test is the log line of a refusal, not that race.
        const untilRefused = async () => {
          let outcome = await limited.tls('inventory.example.com', ALLOWED);
          for (let attempt = 0; 'service' in outcome && attempt < 20; attempt++) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            outcome = await limited.tls('inventory.example.com', ALLOWED);
          }
          return outcome;
        };
        let outcome = await whileHeld(limited, untilRefused);
        for (let round = 1; 'service' in outcome && round < 3; round++)
          outcome = await whileHeld(limited, untilRefused);
        expect(outcome).toHaveProperty('refused');
        const written = await waitForLines(
          (all) => all.some((line) => line.outcome === OUTCOMES.limit),
          join(limited.dir, 'access.log'),
        );
        expect(written.find((line) => line.outcome === OUTCOMES.limit)).toMatchObject({
          listener: 'tls',
          client: ALLOWED,
          status: 503,
        });
      },
    );
  });

  test('every query of docs/operations.md is one of these, word for word', async () => {
    const docs = await readFile(new URL('../../docs/operations.md', import.meta.url), 'utf8');
    // A block inside a list item is indented like its fence.
    const documented = [...docs.matchAll(/^( *)```logs-insights\n([\s\S]*?)\n\1```$/gm)].map(
      ([, indent = '', body = '']) => body.replaceAll(`\n${indent}`, '\n').slice(indent.length),
    );
    expect(documented).toEqual(Object.values(LOG_QUERIES).map(queryText));
  });
});

/**
 * Runs `run` while a connection from ALLOWED is open to `port` (the TLS listener unless given), past its PROXY
 * header and `opening`.
 */
async function whileHeld<T>(
  limited: Harness,
  run: () => Promise<T>,
  port = limited.ports.tls,
  opening = '',
): Promise<T> {
  const held = await hold(port, ALLOWED, 1, opening);
  try {
    return await run();
  } finally {
    for (const socket of held) socket.destroy();
  }
}

/** Runs `run` against a proxy of its own for `proxyConfig`, stopped afterwards. */
async function withConfig(
  proxyConfig: Config,
  run: (limited: Harness) => Promise<void>,
  options: HarnessOptions = {},
): Promise<void> {
  const limited = await startWithEmptyLog(proxyConfig, options);
  try {
    await run(limited);
  } finally {
    await limited.stop();
  }
}

/**
 * A proxy whose access log holds only what the test sends: on nginx 1.30 the harness waits for the first lookups of
 * the Lattice names with requests of its own, which would otherwise be lines here too.
 */
async function startWithEmptyLog(...args: Parameters<typeof startHarness>): Promise<Harness> {
  const harness = await startHarness(...args);
  await truncate(join(harness.dir, 'access.log'), 0);
  return harness;
}

async function waitForLines(
  done: (lines: Line[]) => boolean,
  path = join(proxy.dir, 'access.log'),
): Promise<Line[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    const parsed = text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Line);
    if (done(parsed)) return parsed;
    if (Date.now() > deadline) throw new Error(`log lines not written in time: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
