// Access control on the real nginx: per-service allowlist entries (TLS by SNI, HTTP by Host), refusals that end the
// connection, per-client connection limits, and access logs that stay valid UTF-8 whatever a client sends.
import { readFile } from 'node:fs/promises';
import { connect as connectTcp } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type AccessEntry, mayReach } from '../../src/access/access-groups.ts';
import type { AllowlistEntry, Config } from '../../src/config/model.ts';
import { proxyV2Header } from '../support/proxy-protocol.ts';
import { exampleConfig } from './example-config.ts';
import { type Harness, hold, httpExchange, httpGet, startHarness } from './harness.ts';

const entries: AllowlistEntry[] = [
  { cidr: '198.51.100.0/24', description: 'Every service' },
  { cidr: '203.0.113.0/24', description: 'Orders only', services: ['orders'] },
  { cidr: '203.0.113.16/28', description: 'Inventory too', services: ['inventory'] },
  { cidr: '192.0.2.10/32', description: 'Status page only', services: ['status-page'] },
];
const CLIENTS = ['198.51.100.5', '203.0.113.5', '203.0.113.17', '192.0.2.10', '192.0.2.11'];

function withAllowlist(config: Config, allowlist: Partial<Config['allowlist']>): Config {
  return { ...config, allowlist: { ...config.allowlist, ...allowlist } };
}

/**
 * Error-level (or worse) lines nginx wrote since `from` (an offset in its output): on nginx 1.30 the harness's own
 * wait for the first lookups of the Lattice names may log "no live upstreams" before the test begins.
 */
function errorLines(proxy: Harness, from = 0): string[] {
  return proxy.nginx
    .output()
    .slice(from)
    .split('\n')
    .filter((line) => /\[(error|crit|alert|emerg)\]/.test(line));
}

describe('per-service access', () => {
  let config: Config;
  let proxy: Harness;
  beforeAll(async () => {
    config = withAllowlist(await exampleConfig(), { entries });
    proxy = await startHarness(config);
  });
  afterAll(() => proxy.stop());

  test('every entry × service × listener is decided as the allowlist reads, refusals exactly like off-list', async () => {
    const since = proxy.nginx.output().length;
    const seen: string[] = [];
    const expected: string[] = [];
    for (const client of CLIENTS) {
      for (const service of config.services.services) {
        const allowed = mayReach(entries as AccessEntry[], `${client}/32`, service.name);
        if (service.ports.includes(443)) {
          const outcome = await proxy.tls(service.domain, client);
          seen.push(`${client} ${service.name} tls ${'service' in outcome ? 'served' : 'refused'}`);
          expected.push(`${client} ${service.name} tls ${allowed ? 'served' : 'refused'}`);
        }
        if (service.ports.includes(80)) {
          const outcome = await proxy.http(httpGet(service.domain), client);
          seen.push(`${client} ${service.name} http ${'status' in outcome ? outcome.status : 'closed'}`);
          expected.push(`${client} ${service.name} http ${allowed ? 200 : 403}`);
        }
      }
    }
    expect(seen).toEqual(expected);
    // The combinations above include refusals of both kinds: listed for another service, and not listed at all.
    expect(expected.filter((line) => line.endsWith('403')).length).toBeGreaterThan(1);
    expect(errorLines(proxy, since)).toEqual([]);
  });

  test('a listed client naming an unknown service gets 421, as before', async () => {
    expect(await proxy.http(httpGet('unknown.example.com'), '203.0.113.5')).toMatchObject({ status: 421 });
  });

  test('a refusal ends the conversation: one answer, Connection: close, and the connection closes', async () => {
    const twoRequests = (host: string) => `GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`.repeat(2);
    for (const [host, client, status] of [
      ['orders.example.com', '192.0.2.11', 403],
      ['status-page-0c3d4e5f6a7b8c9d0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws', '203.0.113.5', 403],
      ['unknown.example.com', '198.51.100.5', 421],
    ] as const) {
      const started = Date.now();
      const outcome = await httpExchange(proxy.ports.http, twoRequests(host), client);
      expect(outcome).toMatchObject({ status });
      if ('body' in outcome) expect(outcome.body).not.toContain('HTTP/1.1');
      // Without the close, nginx would keep the connection for keepalive_timeout (60 s) and answer the second.
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });
});

describe('connection limits per client', () => {
  const LIMIT = 3;
  const BUSY = '198.51.100.7';
  let proxy: Harness;
  beforeAll(async () => {
    const base = await exampleConfig();
    proxy = await startHarness(
      withAllowlist(base, {
        connectionsPerClient: LIMIT,
        entries: [
          { cidr: '198.51.100.0/24', description: 'Head office' },
          { cidr: `${BUSY}/32`, description: 'NAT pool', connectionsPerClient: LIMIT + 2 },
        ],
      }),
    );
  });
  afterAll(() => proxy.stop());

  test(`TLS: connection ${LIMIT + 1} of one client is refused while another client is served`, async () => {
    const since = proxy.nginx.output().length;
    const held = await hold(proxy.ports.tls, '198.51.100.5', LIMIT);
    try {
      expect(await proxy.tls('orders.example.com', '198.51.100.5')).toHaveProperty('refused');
      expect(await proxy.tls('orders.example.com', '198.51.100.6')).toMatchObject({ service: 'orders' });
      // The override: the NAT pool may hold LIMIT + 2.
      const busy = await hold(proxy.ports.tls, BUSY, LIMIT + 1);
      expect(await proxy.tls('orders.example.com', BUSY)).toMatchObject({ service: 'orders' });
      for (const socket of busy) socket.destroy();
    } finally {
      for (const socket of held) socket.destroy();
    }
    expect(errorLines(proxy, since)).toEqual([]);
  });

  test(`HTTP: request ${LIMIT + 1} in progress of one client gets 429 while another client is served`, async () => {
    const since = proxy.nginx.output().length;
    const slow = Array.from({ length: LIMIT }, () =>
      proxy.http(httpGet('orders.example.com', '/slow/1500'), '198.51.100.20'),
    );
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(await proxy.http(httpGet('orders.example.com'), '198.51.100.20')).toMatchObject({ status: 429 });
    expect(await proxy.http(httpGet('orders.example.com'), '198.51.100.21')).toMatchObject({ status: 200 });
    for (const outcome of await Promise.all(slow)) expect(outcome).toMatchObject({ status: 200 });
    expect(errorLines(proxy, since)).toEqual([]);
  });
});

describe('access logs', () => {
  let proxy: Harness;
  beforeAll(async () => {
    proxy = await startHarness(await exampleConfig());
  });
  afterAll(() => proxy.stop());

  test('stay valid UTF-8 JSON when a client sends bytes that are not', async () => {
    const hostile = Buffer.concat([
      Buffer.from('GET /caf'),
      Buffer.from([0xe9, 0xff]),
      Buffer.from(' HTTP/1.1\r\nHost: orders.example.com\r\nConnection: close\r\n\r\n'),
    ]);
    const hostileHost = Buffer.concat([
      Buffer.from('GET / HTTP/1.1\r\nHost: o'),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('.example.com\r\nConnection: close\r\n\r\n'),
    ]);
    await httpExchange(proxy.ports.http, hostile.toString('latin1'), '198.51.100.5');
    await httpExchange(proxy.ports.http, hostileHost.toString('latin1'), '198.51.100.5');
    await sendClientHello(
      proxy.ports.tls,
      Buffer.concat([Buffer.from('o'), Buffer.from([0xc3, 0x28]), Buffer.from('.example.com')]),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const bytes = await readFile(join(proxy.dir, 'access.log'));
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.some((line) => line.path === '(not printable ASCII)')).toBe(true);
    expect(lines.some((line) => line.host === '(not printable ASCII)')).toBe(true);
    expect(lines.some((line) => line.listener === 'tls' && line.sni === '(not printable ASCII)')).toBe(true);
  });
});

/**
 * A minimal TLS 1.2 ClientHello naming `serverName` (bytes as they are: what a TLS library would refuse to send)
 * after a PROXY header, on a connection closed once nginx has closed it.
 */
async function sendClientHello(port: number, serverName: Buffer): Promise<void> {
  const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
  const nameList = Buffer.concat([Buffer.from([0]), u16(serverName.length), serverName]);
  const sni = Buffer.concat([u16(0), u16(nameList.length + 2), u16(nameList.length), nameList]);
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    Buffer.from([0]),
    u16(2),
    u16(0x002f),
    Buffer.from([1, 0]),
    u16(sni.length),
    sni,
  ]);
  const handshake = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 0xff]), body]);
  const record = Buffer.concat([Buffer.from([0x16, 3, 1]), u16(handshake.length), handshake]);
  const header = proxyV2Header({ address: '198.51.100.5', port: 40000 }, { address: '10.0.0.1', port });
  await new Promise<void>((resolve, reject) => {
    const socket = connectTcp({ host: '127.0.0.1', port }, () => socket.end(Buffer.concat([header, record])));
    socket.on('data', () => {});
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
}

describe('an unparseable PROXY address', () => {
  let proxy: Harness;
  beforeAll(async () => {
    proxy = await startHarness(await exampleConfig());
  });
  afterAll(() => proxy.stop());

  // nginx keeps the peer's own address when the header's cannot be parsed (255.255.255.255 is its parse-error
  // value; v1 also allows integer forms it does not read). The peer is the load balancer, inside the VPC range,
  // which validation never lets the allowlist contain: such a client is refused, never admitted.
  test.each([
    ['v1 integer form', 'PROXY TCP4 3325256709 10.0.0.1 40000 80\r\n'],
    ['v1 out-of-range octet', 'PROXY TCP4 198.51.100.300 10.0.0.1 40000 80\r\n'],
  ])('%s is judged as the load balancer, and refused', async (_, header) => {
    const outcome = await httpExchange(proxy.ports.http, httpGet('orders.example.com'), Buffer.from(header));
    expect(outcome).toMatchObject({ status: 403 });
  });

  test('the peer decides: were its address allowlisted, the client would be admitted', async () => {
    const peerAllowed = await startHarness(await exampleConfig(), {
      extraAllowlist: [{ cidr: '127.0.0.1/32', description: 'the load balancer itself' }],
    });
    try {
      const header = Buffer.from('PROXY TCP4 3325256709 10.0.0.1 40000 80\r\n');
      expect(await httpExchange(peerAllowed.ports.http, httpGet('orders.example.com'), header)).toMatchObject(
        {
          status: 200,
        },
      );
    } finally {
      await peerAllowed.stop();
    }
  });
});
