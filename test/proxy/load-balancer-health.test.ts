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

/** The servers of the stats CSV once each has a check result: backend -> { status, check_status }. */
async function checkedServers(statsPort: number): Promise<Record<string, Record<string, string>>> {
  return waitFor(async () => {
    const csv = await (await fetch(`http://${LOCALHOST}:${statsPort}/;csv`)).text();
    const [header = '', ...lines] = csv.trim().split('\n');
    const columns = header.replace(/^# /, '').split(',');
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])));
    const servers = rows.filter((row) => row.svname === 'proxy');
    const checked =
      servers.length === 2 && servers.every((row) => row.check_status && row.check_status !== 'INI');
    return checked ? Object.fromEntries(servers.map((row) => [row.pxname as string, row])) : undefined;
  });
}

describe('the load balancer health check, as haproxy plays the NLB', () => {
  test('carries a PROXY v2 header with the LOCAL command, then GET /healthz', async () => {
    const received: Buffer[] = [];
    const capture: Server = createServer((socket) => {
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const data = Buffer.concat(chunks);
        if (!data.includes('\r\n\r\n')) return;
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
    const servers = await checkedServers(statsPort);
    expect(servers.proxy_http).toMatchObject({ status: 'UP', check_status: 'L7OK', check_code: '200' });
    expect(servers.proxy_tls).toMatchObject({ status: 'UP', check_status: 'L7OK', check_code: '200' });
  });

  test('would find every task down if it checked the container health port, which expects no header', async () => {
    const statsPort = await startHaproxy('haproxy-plain-port', {
      http: proxy.ports.http,
      tls: proxy.ports.tls,
      loadBalancerHealth: proxy.ports.health,
    });
    const servers = await checkedServers(statsPort);
    expect(servers.proxy_http?.check_status).not.toBe('L7OK');
    expect(servers.proxy_tls?.check_status).not.toBe('L7OK');
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
