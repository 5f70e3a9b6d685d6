// Slow and idle clients on the real nginx: every kind of connection that sends too little is closed by the
// rendered timeouts (proxy_protocol_timeout 5s, preread_timeout 5s, client_header_timeout 10s), checked with a
// generous bound rather than a tight timing, and a crowd of idle connections does not keep a good client out.
// The close times and the good client's latency are recorded for scripts/hostile-clients.ts, not asserted.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { proxyV2Header } from '../support/proxy-protocol.ts';
import { exampleConfig } from './example-config.ts';
import { echoOf, type Harness, httpGet, startHarness } from './harness.ts';

const ALLOWED = '198.51.100.7';
/** Far above every rendered timeout (10 s at most), so a loaded machine cannot make the test fail. */
const CLOSED_WITHIN_MS = 30_000;
const IDLE_CONNECTIONS = 300;

let proxy: Harness;
beforeAll(async () => {
  proxy = await startHarness(await exampleConfig());
});
afterAll(() => proxy?.stop());

/** A raw connection from loopback that writes `first` (if any) and then `trickle` one byte at a time. */
async function slowClient(port: number, first: Buffer | undefined, trickle = ''): Promise<Socket> {
  const socket = connect({ host: '127.0.0.1', port, localAddress: '127.0.0.1' });
  socket.on('error', () => {});
  socket.on('data', () => {});
  await new Promise((resolve) => socket.once('connect', resolve));
  if (first) socket.write(first);
  let next = 0;
  const timer = setInterval(() => {
    if (next < trickle.length && !socket.destroyed) socket.write(trickle.charAt(next++));
  }, 500);
  socket.once('close', () => clearInterval(timer));
  return socket;
}

/** Milliseconds until the proxy closes the connection; fails past CLOSED_WITHIN_MS. */
function closedAfter(socket: Socket, started: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`still open after ${CLOSED_WITHIN_MS} ms`));
    }, CLOSED_WITHIN_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

const header = (port: number, client = ALLOWED) =>
  proxyV2Header({ address: client, port: 40000 }, { address: '10.0.0.1', port });

/** The kinds of slow client, the timeout that ends each, and what it sends. */
const KINDS = [
  {
    kind: 'TLS: no PROXY header',
    timeout: 'proxy_protocol_timeout 5s',
    start: () => slowClient(proxy.ports.tls, undefined),
  },
  {
    kind: 'TLS: PROXY header, no ClientHello',
    timeout: 'preread_timeout 5s',
    start: () => slowClient(proxy.ports.tls, header(proxy.ports.tls)),
  },
  {
    kind: 'TLS: PROXY header, ClientHello trickled a byte per 0.5 s',
    timeout: 'preread_timeout 5s',
    start: () =>
      slowClient(proxy.ports.tls, header(proxy.ports.tls), '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03'),
  },
  {
    kind: 'HTTP: no PROXY header',
    timeout: 'client_header_timeout 10s',
    start: () => slowClient(proxy.ports.http, undefined),
  },
  {
    kind: 'HTTP: PROXY header, request header trickled a byte per 0.5 s',
    timeout: 'client_header_timeout 10s',
    start: () =>
      slowClient(
        proxy.ports.http,
        header(proxy.ports.http),
        `${httpGet('orders.example.com').slice(0, -4)}X-Slow: ${'x'.repeat(60)}`,
      ),
  },
] as const;

describe.concurrent('slow clients are closed by the timeouts', () => {
  for (const { kind, timeout, start } of KINDS) {
    test(
      `${kind} (${timeout})`,
      async ({ task }) => {
        const started = Date.now();
        const closeMs = await closedAfter(await start(), started);
        Object.assign(task.meta, { closeMs });
      },
      CLOSED_WITHIN_MS + 10_000,
    );
  }
});

test(`${IDLE_CONNECTIONS} idle connections do not keep a good client out`, async ({ task }) => {
  // Half on each listener, each from an address of its own, all past the PROXY header and then silent.
  const idle = await Promise.all(
    Array.from({ length: IDLE_CONNECTIONS }, (_, i) => {
      const port = i % 2 === 0 ? proxy.ports.tls : proxy.ports.http;
      return slowClient(port, header(port, `198.51.100.${(i % 250) + 1}`));
    }),
  );
  try {
    const started = performance.now();
    const tls = await proxy.tls('inventory.example.com', ALLOWED);
    const tlsMs = performance.now() - started;
    const http = await proxy.http(httpGet('orders.example.com'), ALLOWED);
    const httpMs = performance.now() - started - tlsMs;
    expect(tls).toMatchObject({ service: 'inventory' });
    expect(echoOf(http).service).toBe('orders');
    // The idle crowd was still there while the good client was served.
    expect(idle.filter((socket) => !socket.destroyed).length).toBe(IDLE_CONNECTIONS);
    Object.assign(task.meta, { tlsMs: Math.round(tlsMs), httpMs: Math.round(httpMs) });
  } finally {
    for (const socket of idle) socket.destroy();
  }
});
