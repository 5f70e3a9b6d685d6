// The rendered config in a real nginx: SNI and Host routing for every service, refusals for everything else,
// Host header attacks, PROXY protocol handling, the two health listeners and the access log.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Config } from '../../src/config/model.ts';
import { proxyV2LocalHeader } from '../support/proxy-protocol.ts';
import { exampleConfig } from './example-config.ts';
import { echoOf, type Harness, httpExchange, httpGet, startHarness } from './harness.ts';
import { nginxUnderTest } from './nginx-under-test.ts';

const ALLOWED = '198.51.100.7';
let config: Config;
let proxy: Harness;

beforeAll(async () => {
  config = await exampleConfig();
  proxy = await startHarness(config);
});
afterAll(() => proxy?.stop());

const services = () => config.services.services;

describe('HTTP by Host', () => {
  test('each port-80 service is reached with its Host, path, query and SigV4 headers unchanged', async () => {
    const http = services().filter((service) => service.ports.includes(80));
    expect(http.length).toBeGreaterThan(0);
    const sigv4 = [
      'X-Amz-Date: 20260101T000000Z',
      'X-Amz-Content-Sha256: UNSIGNED-PAYLOAD',
      'X-Amz-Security-Token: FwoGZXIvYXdzEJr//////////wEaDA==',
      'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/eu-west-1/vpc-lattice-svcs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123',
      'x_custom_signed: kept',
    ];
    for (const service of http) {
      const outcome = await proxy.http(httpGet(service.domain, '/a/b%2Fc?x=1&y=%20', sigv4), ALLOWED);
      expect(outcome).toMatchObject({ status: 200 });
      const echo = echoOf(outcome);
      expect(echo.service).toBe(service.name);
      expect(echo.host).toBe(service.domain);
      expect(echo.url).toBe('/a/b%2Fc?x=1&y=%20');
      expect(echo.headers['x-amz-date']).toBe('20260101T000000Z');
      expect(echo.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEJr//////////wEaDA==');
      expect(echo.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/);
      expect(echo.headers.x_custom_signed).toBe('kept');
      // The client's `Connection: close` is not passed on: the upstream connection stays pooled.
      expect(echo.headers.connection).toBeUndefined();
    }
  });

  test('Host with the port clients address names the same service, passed on as sent', async () => {
    const [service] = services().filter((s) => s.ports.includes(80));
    const host = `${service?.domain}:${proxy.target.clientHttpPort}`;
    const echo = echoOf(await proxy.http(httpGet(host), ALLOWED));
    expect(echo).toMatchObject({ service: service?.name, host });
  });

  test('names match case-insensitively, as DNS does, and Host is passed on as sent', async () => {
    const echo = echoOf(await proxy.http(httpGet('ORDERS.Example.com'), ALLOWED));
    expect(echo).toMatchObject({ service: 'orders', host: 'ORDERS.Example.com' });
  });

  test('a service without port 80 is not reachable over HTTP', async () => {
    const tlsOnly = services().filter((service) => !service.ports.includes(80));
    expect(tlsOnly.length).toBeGreaterThan(0);
    for (const service of tlsOnly) {
      expect(await proxy.http(httpGet(service.domain), ALLOWED)).toMatchObject({ status: 421 });
    }
  });

  const orders = 'orders.example.com';
  // nginx 1.22 rejects CONNECT while parsing the request line (400); 1.30 parses it and refuses the method
  // (405 Not Allowed). Either way nothing is tunnelled.
  const connectRefusal = nginxUnderTest().flavour === 'image' ? 405 : 400;
  const refused: [string, string, number][] = [
    ['an unknown name', httpGet('unknown.example.com'), 421],
    [
      'a Lattice name that is not configured',
      httpGet('other-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws'),
      421,
    ],
    ['the ECS task metadata address', httpGet('169.254.170.2'), 421],
    ['the instance metadata address', httpGet('169.254.169.254'), 421],
    ['localhost', httpGet('localhost'), 421],
    ['an IPv4 literal', httpGet('127.0.0.1'), 421],
    ['an IPv6 literal', httpGet('[::1]'), 421],
    ['a configured name with another port', httpGet(`${orders}:8443`), 421],
    ['a configured name with a trailing dot', httpGet(`${orders}.`), 421],
    ['a configured name as a suffix', httpGet(`evil.${orders}`), 421],
    ['no Host at all (HTTP/1.0)', `GET / HTTP/1.0\r\n\r\n`, 421],
    ['an absolute URI naming another host', httpGet(orders, 'http://169.254.170.2/v2/credentials'), 421],
    ['an absolute URI naming an unknown host', httpGet(orders, 'http://other.example.com/'), 421],
    ['an absolute URI under an unknown Host', httpGet('169.254.170.2', `http://${orders}/`), 421],
    ['two Host headers', httpGet(orders, '/', ['Host: 169.254.170.2']), 400],
    // The routing key joins two names with a space; neither may contain one.
    ['a Host with a space', httpGet(`${orders} ${orders}`), 400],
    ['a CONNECT tunnel', `CONNECT 169.254.170.2:80 HTTP/1.1\r\nHost: ${orders}\r\n\r\n`, connectRefusal],
    [
      'Transfer-Encoding with Content-Length (smuggling)',
      httpGet(orders, '/', ['Transfer-Encoding: chunked', 'Content-Length: 5']).replace(
        /\r\n\r\n$/,
        '\r\n\r\n0\r\n\r\n',
      ),
      400,
    ],
  ];
  test.each(refused)('refuses %s', async (_, request, status) => {
    expect(await proxy.http(request, ALLOWED)).toMatchObject({ status });
  });

  test('an absolute URI naming the same host as Host is served like a plain request', async () => {
    const echo = echoOf(await proxy.http(httpGet(orders, `http://${orders}/p?q=1`), ALLOWED));
    expect(echo).toMatchObject({ service: 'orders', host: orders, url: '/p?q=1' });
  });

  test('refusals identify nothing: no version in the response', async () => {
    const outcome = await proxy.http(httpGet('unknown.example.com'), ALLOWED);
    expect('body' in outcome && outcome.body).not.toMatch(/nginx\/\d/);
  });
});

describe('TLS by SNI', () => {
  test('each port-443 service is reached with its SNI, end to end TLS with the service', async () => {
    const tls = services().filter((service) => service.ports.includes(443));
    for (const service of tls) {
      expect(await proxy.tls(service.domain, ALLOWED)).toEqual({
        service: service.name,
        servername: service.domain,
      });
    }
  });

  test.each([
    ['an unknown name', 'unknown.example.com'],
    [
      'a Lattice name that is not configured',
      'other-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
    ],
    ['a configured name as a suffix', 'evil.orders.example.com'],
    ['no SNI at all', undefined],
  ])('closes %s without forwarding', async (_, servername) => {
    expect(await proxy.tls(servername, ALLOWED)).toHaveProperty('refused');
  });
});

describe('PROXY protocol and the health listeners', () => {
  test('a connection without a PROXY header is refused on both proxy ports', async () => {
    expect(await proxy.http(httpGet('orders.example.com'), undefined)).toEqual({ closed: true });
    expect(await proxy.tls('orders.example.com', undefined)).toHaveProperty('refused');
  });

  test('the load balancer health listener answers /healthz behind a LOCAL PROXY header, as an NLB checks', async () => {
    const check = (request: string) =>
      httpExchange(proxy.ports.loadBalancerHealth, request, proxyV2LocalHeader());
    expect(await check(httpGet('10.0.0.1:8082', '/healthz'))).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await check(httpGet('10.0.0.1:8082'))).toMatchObject({ status: 404 });
    expect(await check(httpGet('orders.example.com', '/healthz/x'))).toMatchObject({ status: 404 });
    // No allowlist there: a PROXY header naming a client outside it still gets the health answer, never a service.
    const outsider = (request: string) =>
      httpExchange(proxy.ports.loadBalancerHealth, request, '203.0.113.99');
    expect(await outsider(httpGet('orders.example.com', '/healthz'))).toMatchObject({ status: 200 });
    expect(await outsider(httpGet('orders.example.com', '/'))).toMatchObject({ status: 404 });
  });

  test('the load balancer health listener refuses a request without a PROXY header', async () => {
    expect(await httpExchange(proxy.ports.loadBalancerHealth, httpGet('x', '/healthz'))).toEqual({
      closed: true,
    });
  });

  test('the container health listener answers /healthz without a PROXY header, and nothing else', async () => {
    const health = (request: string) => httpExchange(proxy.ports.health, request);
    expect(await health(httpGet('anything'))).toMatchObject({ status: 404 });
    expect(await health(httpGet('anything', '/healthz'))).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await health(httpGet('orders.example.com', '/healthz/x'))).toMatchObject({ status: 404 });
    // The load balancer's header is not understood there: the container listener is not the NLB's.
    const local = await httpExchange(proxy.ports.health, httpGet('x', '/healthz'), proxyV2LocalHeader());
    expect(local).not.toMatchObject({ status: 200 });
  });

  test('the access log is JSON with the client address from the PROXY header, health checks left out', async () => {
    await proxy.http(httpGet('orders.example.com', '/logged'), '198.51.100.42');
    await httpExchange(proxy.ports.health, httpGet('x', '/healthz'));
    await httpExchange(proxy.ports.health, httpGet('x', '/healthz/x'));
    await httpExchange(proxy.ports.loadBalancerHealth, httpGet('x', '/healthz'), proxyV2LocalHeader());
    await proxy.tls('inventory.example.com', '2001:db8:100::42');
    // nginx writes the log line when the connection ends; give the TLS session a moment to be closed.
    const lines = await waitFor(async () => {
      const text = await readFile(join(proxy.dir, 'access.log'), 'utf8');
      const parsed = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      return parsed.some((entry) => entry.client === '2001:db8:100::42') ? parsed : undefined;
    });
    expect(lines.find((entry) => entry.path === '/logged')).toMatchObject({
      listener: 'http',
      client: '198.51.100.42',
      peer: '127.0.0.1',
      host: 'orders.example.com',
      status: 200,
      allowed: '1',
    });
    expect(lines.find((entry) => entry.client === '2001:db8:100::42')).toMatchObject({
      listener: 'tls',
      sni: 'inventory.example.com',
      allowed: '1',
    });
    // Exactly the health check is left out: a stray request on the health port is logged.
    expect(lines.some((entry) => entry.path === '/healthz')).toBe(false);
    expect(lines.some((entry) => entry.path === '/healthz/x')).toBe(true);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
