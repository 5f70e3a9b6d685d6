// Refusals are routine (scanners, off-list clients, wrong names): they must not reach the error log at error
// level or above, or the log drowns in lines an operator can do nothing about.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { proxyV2Header } from '../support/proxy-protocol.ts';
import { exampleConfig } from './example-config.ts';
import { type Harness, httpExchange, httpGet, startHarness } from './harness.ts';

const ALLOWED = '198.51.100.7';
const OFF_LIST = '203.0.113.9';
let proxy: Harness;

beforeAll(async () => {
  proxy = await startHarness(await exampleConfig());
});
afterAll(() => proxy?.stop());

/** nginx's levels from error up: what an operator is paged for. */
const ERROR_OR_WORSE = /\[(error|crit|alert|emerg)\]/;

test('no refusal, TLS or HTTP, writes an error-level line', async () => {
  const before = proxy.nginx.output().length;
  const tlsRefusals = [
    ['unknown SNI', 'unknown.example.com', ALLOWED],
    ['no SNI', undefined, ALLOWED],
    ['configured SNI from an off-list client', 'orders.example.com', OFF_LIST],
    ['unknown SNI from an off-list client', 'unknown.example.com', OFF_LIST],
  ] as const;
  for (const [what, servername, source] of tlsRefusals) {
    for (let i = 0; i < 10; i++) {
      expect(await proxy.tls(servername, source), what).toHaveProperty('refused');
    }
  }
  for (const [request, source] of [
    [httpGet('orders.example.com'), OFF_LIST],
    [httpGet('unknown.example.com'), ALLOWED],
  ] as const) {
    expect(await proxy.http(request, source)).toMatchObject({ status: expect.any(Number) });
  }
  // Let the workers write what they would write about the closed connections.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const lines = proxy.nginx.output().slice(before).split('\n');
  expect(lines.filter((line) => ERROR_OR_WORSE.test(line))).toEqual([]);
});

/** Writes the parts after a PROXY header from `client`, with no pause, and waits until the proxy closes. */
async function sendAll(port: number, client: string, parts: readonly Buffer[]): Promise<void> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
  socket.on('error', () => {});
  socket.on('data', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(proxyV2Header({ address: client, port: 40000 }, { address: '10.0.0.1', port }));
  for (const part of parts) if (!socket.destroyed) socket.write(part);
  await new Promise((resolve) => {
    socket.once('close', resolve);
    setTimeout(resolve, 5_000);
  });
  socket.destroy();
}

test('plain HTTP sent to the TLS port, over and over, writes no error-level line', async () => {
  const before = proxy.nginx.output().length;
  const body = Buffer.alloc(100_000, 'a');
  for (let i = 0; i < 40; i++) {
    // A client of the wrong port is answered 400 by the plain refusal server, never forwarded.
    expect(await httpExchange(proxy.ports.tls, httpGet('orders.example.com'), ALLOWED)).toMatchObject({
      status: 400,
    });
    // One that keeps writing (a body) while the refusal closes: the race that once logged
    // "writev() failed (32: Broken pipe)" or "recv() failed (104: Connection reset by peer)" from the TLS server.
    await sendAll(proxy.ports.tls, i % 2 ? ALLOWED : OFF_LIST, [
      Buffer.from(`POST / HTTP/1.1\r\nHost: orders.example.com\r\nContent-Length: ${body.length}\r\n\r\n`),
      body,
    ]);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const lines = proxy.nginx.output().slice(before).split('\n');
  expect(lines.filter((line) => ERROR_OR_WORSE.test(line))).toEqual([]);
}, 120_000);
