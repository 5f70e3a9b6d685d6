// Post-quantum ClientHellos through haproxy (the NLB's stand-in, PROXY v2) to the real nginx: Node 24's OpenSSL 3.5
// offers X25519MLKEM768, so its ClientHello is well over 1,200 bytes and often arrives in two TCP segments or
// several TLS records. Such hellos broke SNI routing in other proxies that decide on the first segment or record;
// here every shape must be routed by its SNI, and a name the proxy does not serve must still be refused.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startHaproxy } from '../../src/local/haproxy.ts';
import { freePort } from '../../src/local/ports.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { NODE24 } from '../support/node24.ts';
import {
  HELLO_SHAPES,
  type HelloShape,
  handshakeWith,
  keyShareGroups,
  type ShapingRelay,
  startShapingRelay,
  X25519MLKEM768,
} from './client-hello.ts';
import { exampleConfig } from './example-config.ts';
import { type Harness, startHarness } from './harness.ts';

const LOCALHOST = '127.0.0.1';
let proxy: Harness;
let supervisor: Supervisor;
let loadBalancerTls: number;

beforeAll(async () => {
  // haproxy connects from loopback, so the PROXY header names 127.0.0.1 as the client.
  proxy = await startHarness(await exampleConfig(), {
    extraAllowlist: [{ cidr: `${LOCALHOST}/32`, description: 'the relay behind haproxy' }],
  });
  supervisor = new Supervisor();
  const listen = { address: LOCALHOST, http: await freePort(), tls: await freePort() };
  await startHaproxy(supervisor, proxy.dir, { listen, proxy: { address: LOCALHOST, ...proxy.ports } });
  loadBalancerTls = listen.tls;
});
afterAll(async () => {
  await supervisor?.stop();
  await proxy?.stop();
});

/** The Node 24 binary setup caches; without it these tests cannot send a post-quantum ClientHello. */
function node24(): string {
  if (!NODE24.node) throw new Error(NODE24.reason);
  return NODE24.node;
}

async function throughRelay<T>(shape: HelloShape, run: (relay: ShapingRelay) => Promise<T>): Promise<T> {
  const relay = await startShapingRelay(loadBalancerTls, shape);
  try {
    return await run(relay);
  } finally {
    await relay.close();
  }
}

describe.each((Object.entries(HELLO_SHAPES) as [HelloShape, string][]).map(([shape, how]) => [how, shape]))(
  'a post-quantum ClientHello %s',
  (_, shape) => {
    test('is routed by its SNI', async ({ task }) => {
      await throughRelay(shape, async (relay) => {
        for (const service of ['orders', 'inventory']) {
          const servername = `${service}.example.com`;
          expect(await handshakeWith(node24(), relay.port, servername, proxy.caCert)).toEqual({
            service,
            servername,
          });
        }
        const [hello = Buffer.alloc(0)] = relay.hellos;
        expect(keyShareGroups(hello)).toContain(X25519MLKEM768);
        expect(hello.length).toBeGreaterThanOrEqual(1_200);
        Object.assign(task.meta, { helloBytes: hello.length, routed: true });
      });
    });

    test('naming no configured service, is refused', async () => {
      await throughRelay(shape, async (relay) => {
        expect(await handshakeWith(node24(), relay.port, 'unknown.example.com', proxy.caCert)).toHaveProperty(
          'refused',
        );
      });
    });
  },
);
