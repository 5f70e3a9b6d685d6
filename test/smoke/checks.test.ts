// The smoke checks against real loopback servers: stand-in Lattice services (HTTPS with a throwaway CA, SigV4
// verification) and a server that closes every connection, the way the proxy refuses a source off the allowlist.
// The curl command each result prints is run for real and must see the same status.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServicesSchema } from '../../src/config/model.ts';
import { createLocalCa, type LocalCa } from '../../src/local/certificates.ts';
import { LOCAL_TEST_CREDENTIALS } from '../../src/local/sigv4.ts';
import { type StandIn, startStandIn } from '../../src/local/stand-in.ts';
import { runSmokeChecks, type SmokeOptions } from '../../src/smoke/checks.ts';
import { planSmokeChecks } from '../../src/smoke-plan/checks.ts';
import { startUnansweredPort, type UnansweredPort } from '../support/unanswered-port.ts';

const run = promisify(execFile);
const REGION = 'eu-west-1';
const { services } = ServicesSchema.parse({
  services: [
    {
      name: 'orders',
      domain: 'orders.example.com',
      latticeDomain: 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
      ports: [443, 80],
      auth: 'iam',
      smoke: { path: '/health', expect: 200 },
    },
    {
      name: 'status',
      domain: 'status.example.com',
      ports: [443],
      auth: 'none',
      smoke: { path: '/', expect: 200 },
    },
  ],
});
const [orders, status] = services as [(typeof services)[0], (typeof services)[0]];
const FAST_RETRY = { attempts: 2, initialDelayMs: 20, maxDelayMs: 40 };

let dir: string;
let ca: LocalCa;
let ordersStandIn: StandIn;
let statusStandIn: StandIn;
const servers: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'smoke-checks-'));
  ca = await createLocalCa(dir);
  const start = async (service: typeof orders, names: string[]) => {
    const standIn = await startStandIn({
      service,
      address: '127.0.0.1',
      httpPort: 0,
      tlsPort: 0,
      tls: await ca.issue(service.name, names),
      region: REGION,
    });
    servers.push(standIn);
    return standIn;
  };
  ordersStandIn = await start(orders, [orders.domain]);
  statusStandIn = await start(status, [status.domain]);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const options = (overrides: Partial<SmokeOptions> = {}): SmokeOptions => ({
  region: REGION,
  credentials: LOCAL_TEST_CREDENTIALS,
  caFile: ca.certFile,
  retry: FAST_RETRY,
  budgetMs: 10_000,
  ...overrides,
});
const endpointOf = (standIn: StandIn) => ({
  host: '127.0.0.1',
  httpPort: standIn.httpPort,
  tlsPort: standIn.tlsPort,
});

/** Runs a printed curl command in a POSIX shell with the given credentials; returns the HTTP status it saw. */
async function runCurl(command: string, credentials: typeof LOCAL_TEST_CREDENTIALS): Promise<number> {
  const { stdout } = await run('sh', ['-c', `${command} -o /dev/null -w '%{http_code}'`], {
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken,
    },
  });
  return Number(stdout);
}

describe('runSmokeChecks, expect allowed', () => {
  it('passes a signed check on 443 and 80 through the endpoint, with SNI, certificate and Host of the domain', async () => {
    const results = await runSmokeChecks(
      planSmokeChecks({ services: [orders] }),
      endpointOf(ordersStandIn),
      options(),
    );
    expect(results.map(({ curl: _, latencyMs: __, ...rest }) => rest)).toEqual([
      {
        service: 'orders',
        port: 443,
        ok: true,
        status: 200,
        expected: 200,
        expectation: 'allowed',
        outcome: '200',
        attempts: 1,
      },
      {
        service: 'orders',
        port: 80,
        ok: true,
        status: 200,
        expected: 200,
        expectation: 'allowed',
        outcome: '200',
        attempts: 1,
      },
    ]);
    expect(results[0]?.curl).toContain(
      `--connect-to orders.example.com:443:127.0.0.1:${ordersStandIn.tlsPort}`,
    );
  });

  it('prints curl commands that get the same status when run', async () => {
    const results = await runSmokeChecks(
      planSmokeChecks({ services: [orders] }),
      endpointOf(ordersStandIn),
      options(),
    );
    for (const result of results) {
      expect(await runCurl(result.curl, LOCAL_TEST_CREDENTIALS)).toBe(result.status);
    }
    // The pasted command really signs: with another secret the stand-in refuses it.
    const wrong = { ...LOCAL_TEST_CREDENTIALS, secretAccessKey: 'not-the-secret' };
    expect(await runCurl(results[0]?.curl ?? '', wrong)).toBe(403);
  });

  it('fails after its retries when the signature is refused, showing the status and body', async () => {
    const [result] = await runSmokeChecks(
      [{ service: orders, port: 443 }],
      endpointOf(ordersStandIn),
      options({ credentials: { ...LOCAL_TEST_CREDENTIALS, secretAccessKey: 'not-the-secret' } }),
    );
    expect(result).toMatchObject({ ok: false, status: 403, outcome: '403', attempts: 2 });
    expect(result?.error).toMatch(/^got HTTP 403, expected 200: \{"service":"orders"/);
  });

  it('fails without credentials for an iam service, and needs none for auth: none', async () => {
    const [iam] = await runSmokeChecks(
      [{ service: orders, port: 443 }],
      endpointOf(ordersStandIn),
      options({ credentials: undefined }),
    );
    expect(iam).toMatchObject({ ok: false, attempts: 0 });
    expect(iam?.error).toContain('no AWS credentials');
    const [open] = await runSmokeChecks(
      [{ service: status, port: 443 }],
      endpointOf(statusStandIn),
      options({ credentials: undefined }),
    );
    expect(open).toMatchObject({ ok: true, status: 200 });
    expect(open?.curl).not.toContain('--aws-sigv4');
  });

  it('rejects a certificate that is not for the service domain, at once', async () => {
    // The status stand-in presents status.example.com: connecting there as orders must fail the name check.
    const [result] = await runSmokeChecks(
      [{ service: orders, port: 443 }],
      endpointOf(statusStandIn),
      options(),
    );
    expect(result).toMatchObject({ ok: false, outcome: 'certificate', attempts: 1 });
    expect(result?.error).toMatch(/orders\.example\.com/);
  });

  it('rejects a certificate from a CA it does not trust', async () => {
    const [result] = await runSmokeChecks(
      [{ service: orders, port: 443 }],
      endpointOf(ordersStandIn),
      options({ caFile: undefined }),
    );
    expect(result).toMatchObject({ ok: false, outcome: 'certificate', attempts: 1 });
  });
});

describe('runSmokeChecks, expect refused', () => {
  let closer: Server;
  let closerPort: number;
  let hanger: Server;
  let hangerPort: number;
  let blackhole: UnansweredPort;
  /** Connections the hanger holds open. */
  const sockets: Socket[] = [];

  const listen = async (server: Server) => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  };

  beforeAll(async () => {
    // Like the proxy for a source off the allowlist on 443: accept, then close without a byte.
    closer = createServer((socket) => socket.destroy());
    closerPort = await listen(closer);
    // Accepts and never answers.
    hanger = createServer((socket) => sockets.push(socket));
    hangerPort = await listen(hanger);
    // Like a security group dropping the SYN.
    blackhole = await startUnansweredPort();
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    blackhole?.close();
    await Promise.all(
      [closer, hanger].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
  });

  it('passes when every connection is closed without a response', async () => {
    const results = await runSmokeChecks(
      planSmokeChecks({ services: [orders] }),
      { host: '127.0.0.1', httpPort: closerPort, tlsPort: closerPort },
      options({ expect: 'refused' }),
    );
    expect(results.map((result) => [result.port, result.ok, result.outcome, result.attempts])).toEqual([
      [443, true, 'closed', 1],
      [80, true, 'closed', 1],
    ]);
  });

  it('reports not tested when the TCP connection is never answered (a dropping security group, or no task)', async () => {
    const [result] = await runSmokeChecks(
      [{ service: orders, port: 443 }],
      { host: '127.0.0.1', httpPort: blackhole.port, tlsPort: blackhole.port },
      options({ expect: 'refused', requestTimeoutMs: 1_000 }),
    );
    expect(result).toMatchObject({ ok: false, untested: true, outcome: 'unanswered', attempts: 1 });
  });

  it('fails when a connection is accepted and then hangs, or nothing listens', async () => {
    const [hung] = await runSmokeChecks(
      [{ service: orders, port: 80 }],
      { host: '127.0.0.1', httpPort: hangerPort, tlsPort: hangerPort },
      options({ expect: 'refused', requestTimeoutMs: 1_000, retry: { ...FAST_RETRY, attempts: 1 } }),
    );
    expect(hung).toMatchObject({ ok: false, outcome: 'timeout' });
    expect(hung?.error).toContain('connected, but no response within 1000 ms');
    const [nothing] = await runSmokeChecks(
      [{ service: orders, port: 443 }],
      { host: '127.0.0.1', httpPort: 1, tlsPort: 1 },
      options({ expect: 'refused' }),
    );
    expect(nothing).toMatchObject({ ok: false, outcome: 'refused' });
  });

  it('fails when the service answers', async () => {
    const results = await runSmokeChecks(
      planSmokeChecks({ services: [orders] }),
      endpointOf(ordersStandIn),
      options({ expect: 'refused' }),
    );
    expect(results.every((result) => !result.ok && result.status === 200)).toBe(true);
    expect(results[0]?.error).toContain('expected a refusal');
  });
});
