// Refusals are routine (scanners, off-list clients, wrong names): they must not reach the error log at error
// level or above, or the log drowns in lines an operator can do nothing about.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { exampleConfig } from './example-config.ts';
import { type Harness, httpGet, startHarness } from './harness.ts';

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
