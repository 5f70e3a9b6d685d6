// The load balancer's health check against the rendered nginx, with haproxy playing the NLB as the local stack
// does (send-proxy-v2 servers, `check port <load balancer health port> check-send-proxy`): what haproxy sends is
// a PROXY v2 header with the LOCAL command, as the NLB documents for its health checks, and nginx's load balancer
// health listener passes the check.
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { renderHaproxyConfig } from '../../src/local/haproxy.ts';
import { freePort, waitForPort } from '../../src/local/ports.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { PROXY_V2_SIGNATURE } from '../support/proxy-protocol.ts';
import { exampleConfig } from './example-config.ts';
import { type Harness, startHarness } from './harness.ts';

const LOCALHOST = '127.0.0.1';
let proxy: Harness;
let supervisor: Supervisor;

beforeAll(async () => {
  proxy = await startHarness(await exampleConfig());
  supervisor = new Supervisor();
});
afterAll(async () => {
  await supervisor?.stop();
  await proxy?.stop();
});

/** Starts haproxy with the local stack's configuration plus a stats page; returns the stats port. */
async function startHaproxy(
  name: string,
  proxyPorts: { http: number; tls: number; loadBalancerHealth: number },
) {
  const statsPort = await freePort();
  const config = [
    renderHaproxyConfig({
      listen: { address: LOCALHOST, http: await freePort(), tls: await freePort() },
      proxy: { address: LOCALHOST, ...proxyPorts },
    }),
    'listen stats',
    '    mode http',
    `    bind ${LOCALHOST}:${statsPort}`,
    '    stats enable',
    '    stats uri /',
    '',
  ].join('\n');
  const file = join(proxy.dir, `${name}.cfg`);
  await writeFile(file, config);
  await supervisor.spawn(name, 'haproxy', ['-db', '-f', file]);
  await waitForPort(LOCALHOST, statsPort, 10_000);
  return statsPort;
}

type ServerRow = Record<string, string>;

/**
 * Waits until both servers' latest check (stats CSV) satisfies `expected`, and returns them by backend. A check can
 * time out on a busy machine, so a single result is not final; the error names the last results seen.
 */
async function serversOnceChecked(
  statsPort: number,
  expected: (server: ServerRow) => boolean,
): Promise<Record<string, ServerRow>> {
  let last = 'no stats yet';
  return waitFor(async () => {
    const csv = await (await fetch(`http://${LOCALHOST}:${statsPort}/;csv`)).text();
    const [header = '', ...lines] = csv.trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])));
    const servers = rows.filter((row) => row.svname === 'proxy') as ServerRow[];
    last = servers
      .map((row) => `${row.pxname}: ${row.status} ${row.check_status} ${row.check_code}`)
      .join('; ');
    return servers.length === 2 && servers.every(expected)
      ? Object.fromEntries(servers.map((row) => [row.pxname as string, row]))
      : undefined;
  }).catch(() => {
    throw new Error(`haproxy's health checks never gave the expected result; last seen: ${last}`);
  });
}

describe('the load balancer health check, as haproxy plays the NLB', () => {
  test('carries a PROXY v2 header with the LOCAL command, then GET /healthz', async () => {
    const received: Buffer[] = [];
    const capture: Server = createServer((socket) => {
      const chunks: Buffer[] = [];
      // haproxy resets a check connection once it has the response.
      socket.on('error', () => {});
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const data = Buffer.concat(chunks);
        // The v2 signature itself holds \r\n\r\n: look for the end of the request after the header.
        const requestStart = data.length >= 16 ? 16 + data.readUInt16BE(14) : data.length;
        if (!data.subarray(requestStart).includes('\r\n\r\n')) return;
        received.push(data);
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => capture.listen({ host: LOCALHOST, port: 0 }, resolve));
    supervisor.defer(
      'close the capture server',
      () => new Promise((resolve) => capture.close(() => resolve())),
    );
    const capturePort = (capture.address() as { port: number }).port;
    await startHaproxy('haproxy-capture', {
      http: proxy.ports.http,
      tls: proxy.ports.tls,
      loadBalancerHealth: capturePort,
    });

    const check = await waitFor(async () => received[0]);
    expect(check.subarray(0, 12)).toEqual(PROXY_V2_SIGNATURE);
    expect(check[12]).toBe(0x20); // version 2, command LOCAL
    const length = check.readUInt16BE(14);
    expect(check.subarray(16 + length).toString('latin1')).toMatch(/^GET \/healthz HTTP\/1\.1\r\n/);
  });

  test('finds the rendered nginx healthy on its load balancer health listener, for both target groups', async () => {
    const statsPort = await startHaproxy('haproxy-nlb', proxy.ports);
    const servers = await serversOnceChecked(statsPort, (server) => server.check_status === 'L7OK');
    expect(servers.proxy_http).toMatchObject({ status: 'UP', check_status: 'L7OK', check_code: '200' });
    expect(servers.proxy_tls).toMatchObject({ status: 'UP', check_status: 'L7OK', check_code: '200' });
  });

  test('would find every task down if it checked the container health port, which expects no header', async () => {
    const statsPort = await startHaproxy('haproxy-plain-port', {
      http: proxy.ports.http,
      tls: proxy.ports.tls,
      loadBalancerHealth: proxy.ports.health,
    });
    // nginx reads the PROXY header as a malformed request line and answers 400.
    const servers = await serversOnceChecked(statsPort, (server) => server.check_code === '400');
    expect(servers.proxy_http).toMatchObject({ check_status: 'L7STS', check_code: '400' });
    expect(servers.proxy_tls).toMatchObject({ check_status: 'L7STS', check_code: '400' });
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
