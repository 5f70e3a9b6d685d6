// The signer against curl's own --aws-sigv4 for the same Lattice-style request: curl sends to a loopback server
// that captures what arrived; the Authorization header signLatticeRequest computes for that request (same
// credentials, same x-amz-date) must be identical, and both must pass the stand-in services' verifier.
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_TEST_CREDENTIALS, verifySigV4 } from '../../src/local/sigv4.ts';
import { probe } from '../../src/smoke/probe.ts';
import { requestTarget, signLatticeRequest } from '../../src/smoke/sign.ts';

const run = promisify(execFile);
const REGION = 'eu-west-1';
const DOMAIN = 'orders.example.com';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let port: number;
const captured: Captured[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      captured.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      res.end('captured\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function curl(args: string[]): Promise<Captured> {
  const before = captured.length;
  await run('curl', [
    '-sS',
    '--connect-to',
    `${DOMAIN}:80:127.0.0.1:${port}`,
    '--aws-sigv4',
    `aws:amz:${REGION}:vpc-lattice-svcs`,
    '--user',
    `${LOCAL_TEST_CREDENTIALS.accessKeyId}:${LOCAL_TEST_CREDENTIALS.secretAccessKey}`,
    '-H',
    `x-amz-security-token: ${LOCAL_TEST_CREDENTIALS.sessionToken}`,
    '-H',
    'x-amz-content-sha256: UNSIGNED-PAYLOAD',
    ...args,
  ]);
  const request = captured[before];
  if (!request) throw new Error('curl request did not arrive');
  return request;
}

/** x-amz-date as a Date. */
function amzDate(value: string): Date {
  const [, y, mo, d, h, mi, s] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(value) ?? [];
  return new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
}

describe('SigV4 for Lattice: this signer and curl --aws-sigv4 agree', () => {
  it('GET with a query string and a session token', async () => {
    // Written in canonical order, as renderCurl writes it: older curl releases sign the query as written (curl/curl#9717).
    const query = { page: '2', filter: 'open', a: '1' };
    const request = await curl([`http://${DOMAIN}${requestTarget('/v1/items', query)}`]);
    expect(request.url).toBe('/v1/items?a=1&filter=open&page=2');
    expect(await verifySigV4({ ...request }, REGION)).toEqual({ valid: true, region: REGION });

    expect(request.headers.authorization).toMatch(
      /Credential=AKIALOCALSTACKTEST01\/\d{8}\/eu-west-1\/vpc-lattice-svcs\//,
    );
    const mine = await signLatticeRequest(
      { method: 'GET', host: DOMAIN, path: '/v1/items', query },
      {
        region: REGION,
        credentials: LOCAL_TEST_CREDENTIALS,
        date: amzDate(String(request.headers['x-amz-date'])),
      },
    );
    expect(mine.authorization).toBe(request.headers.authorization);
    expect(mine.headers['x-amz-security-token']).toBe(LOCAL_TEST_CREDENTIALS.sessionToken);
    expect(mine.canonicalRequest.split('\n').slice(0, 3)).toEqual([
      'GET',
      '/v1/items',
      'a=1&filter=open&page=2',
    ]);
  });

  it('POST with a body: the payload stays unsigned, the content type is signed by both', async () => {
    const request = await curl([
      '--data-raw',
      '{"sku":"a-1"}',
      '-H',
      'content-type: application/json',
      `http://${DOMAIN}/v1/orders`,
    ]);
    expect(await verifySigV4({ ...request }, REGION)).toEqual({ valid: true, region: REGION });
    const mine = await signLatticeRequest(
      {
        method: 'POST',
        host: DOMAIN,
        path: '/v1/orders',
        headers: { 'content-type': 'application/json' },
        body: '{"sku":"a-1"}',
      },
      {
        region: REGION,
        credentials: LOCAL_TEST_CREDENTIALS,
        date: amzDate(String(request.headers['x-amz-date'])),
      },
    );
    expect(mine.authorization).toBe(request.headers.authorization);
    expect(mine.canonicalRequest.endsWith('\nUNSIGNED-PAYLOAD')).toBe(true);
  });

  it('a request signed here and sent by probe() verifies on the server too; a tampered one does not', async () => {
    const send = async (path: string, signedPath: string) => {
      const { headers } = await signLatticeRequest(
        { method: 'GET', host: DOMAIN, path: signedPath },
        { region: REGION, credentials: LOCAL_TEST_CREDENTIALS },
      );
      const before = captured.length;
      const outcome = await probe({
        scheme: 'http',
        connectHost: '127.0.0.1',
        connectPort: port,
        domain: DOMAIN,
        method: 'GET',
        path,
        headers,
        timeoutMs: 5_000,
      });
      expect(outcome).toMatchObject({ kind: 'response', status: 200 });
      return verifySigV4({ ...(captured[before] as Captured) }, REGION);
    };
    expect(await send('/health', '/health')).toEqual({ valid: true, region: REGION });
    expect(await send('/admin', '/health')).toMatchObject({ valid: false });
  });
});
