import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Service, ServiceSchema } from '../../src/config/model.ts';
import { createLocalCa, type LocalCa } from '../../src/local/certificates.ts';
import { LOCAL_TEST_CREDENTIALS, verifySigV4 } from '../../src/local/sigv4.ts';
import { type StandIn, type StandInEcho, startStandIn } from '../../src/local/stand-in.ts';

const LATTICE = 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';
const orders: Service = ServiceSchema.parse({
  name: 'orders',
  domain: 'orders.example.com',
  latticeDomain: LATTICE,
  ports: [443, 80],
  auth: 'iam',
  smoke: { path: '/health', expect: 202 },
});
const open: Service = ServiceSchema.parse({ name: 'open', domain: 'open.example.com', auth: 'none' });

interface Reply {
  status: number;
  echo: StandInEcho;
}

async function signedHeaders(
  method: string,
  host: string,
  path: string,
  body = '',
): Promise<Record<string, string>> {
  const signer = new SignatureV4({
    credentials: LOCAL_TEST_CREDENTIALS,
    region: 'eu-west-1',
    service: 'vpc-lattice-svcs',
    sha256: Sha256,
    applyChecksum: true,
  });
  const url = new URL(path, `https://${host}`);
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: 'https:',
      hostname: host,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host },
      body: body || undefined,
    }),
  );
  return signed.headers as Record<string, string>;
}

describe('stand-in service', () => {
  let dir: string;
  let ca: LocalCa;
  let standIn: StandIn;
  let openStandIn: StandIn;

  const send = (
    scheme: 'http' | 'https',
    options: {
      path?: string;
      host?: string;
      sni?: string;
      headers?: Record<string, string>;
      method?: string;
    },
    body = '',
    target = standIn,
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const common = {
        host: target.address,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { host: options.host ?? target.service.domain, ...options.headers },
        agent: false as const,
      };
      const req =
        scheme === 'https'
          ? httpsRequest({
              ...common,
              port: target.tlsPort,
              servername: options.sni ?? target.service.domain,
              ca: ca.cert,
            })
          : httpRequest({ ...common, port: target.httpPort });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, echo: JSON.parse(text) }));
      });
      req.on('error', reject);
      req.end(body);
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stand-in-test-'));
    ca = await createLocalCa(dir);
    const [ordersTls, openTls] = await Promise.all([
      ca.issue('orders', [orders.domain, LATTICE]),
      ca.issue('open', [open.domain]),
    ]);
    standIn = await startStandIn({
      service: orders,
      address: '127.0.1.201',
      httpPort: 0,
      tlsPort: 0,
      tls: ordersTls,
      region: 'eu-west-1',
    });
    openStandIn = await startStandIn({
      service: open,
      address: '127.0.1.202',
      httpPort: 0,
      tlsPort: 0,
      tls: openTls,
      region: 'eu-west-1',
    });
  });
  afterAll(async () => {
    await standIn?.close();
    await openStandIn?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a signed HTTPS request with an echo of Host, SNI, path and the SigV4 headers', async () => {
    const headers = await signedHeaders('GET', orders.domain, '/v1/items?b=2&a=1');
    const reply = await send('https', { path: '/v1/items?b=2&a=1', headers });
    expect(reply.status).toBe(200);
    expect(reply.echo).toMatchObject({
      service: 'orders',
      scheme: 'https',
      host: 'orders.example.com',
      sni: 'orders.example.com',
      method: 'GET',
      path: '/v1/items?b=2&a=1',
      signature: 'valid',
    });
    expect(reply.echo.sigv4.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIALOCALSTACKTEST01\//);
    expect(Object.keys(reply.echo.sigv4).sort()).toEqual([
      'authorization',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amz-security-token',
    ]);
  });

  it('verifies a signed body over plain HTTP, and answers the smoke path with the configured status', async () => {
    const body = '{"order":42}';
    const post = await send(
      'http',
      {
        method: 'POST',
        path: '/orders',
        headers: await signedHeaders('POST', orders.domain, '/orders', body),
      },
      body,
    );
    expect(post).toMatchObject({ status: 200, echo: { scheme: 'http', sni: null, signature: 'valid' } });
    const smoke = await send('http', {
      path: '/health',
      headers: await signedHeaders('GET', orders.domain, '/health'),
    });
    expect(smoke.status).toBe(202);
  });

  it('refuses an unsigned request to an IAM service with 403, as Lattice does', async () => {
    const reply = await send('https', { path: '/' });
    expect(reply.status).toBe(403);
    expect(reply.echo.signature).toMatch(/no Authorization header/);
  });

  it('refuses a request whose signed parts changed on the way', async () => {
    const headers = await signedHeaders('GET', orders.domain, '/v1/items');
    const otherPath = await send('https', { path: '/v1/other', headers });
    expect(otherPath.status).toBe(403);
    expect(otherPath.echo.signature).toMatch(/signature does not match/);
    const signedPost = await signedHeaders('POST', orders.domain, '/v1/items', 'the body signed');
    const otherBody = await send(
      'http',
      { method: 'POST', path: '/v1/items', headers: signedPost },
      'smuggled',
    );
    expect(otherBody.status).toBe(403);
    expect(otherBody.echo.signature).toMatch(/x-amz-content-sha256 does not match the body/);
  });

  it('accepts the Lattice name as Host and SNI, and answers 421 to names it does not serve', async () => {
    const viaLattice = await send('https', {
      host: LATTICE,
      sni: LATTICE,
      headers: await signedHeaders('GET', LATTICE, '/'),
    });
    expect(viaLattice.status).toBe(200);
    const wrongHost = await send('http', { host: 'inventory.example.com' });
    expect(wrongHost.status).toBe(421);
  });

  it('needs no signature when the service has auth: none', async () => {
    const reply = await send('https', {}, '', openStandIn);
    expect(reply).toMatchObject({ status: 200, echo: { service: 'open', signature: 'not required' } });
    expect(openStandIn.requests).toBe(1);
  });

  it('presents a certificate that only the local CA vouches for', async () => {
    const untrusted = new Promise((resolve, reject) => {
      const req = httpsRequest({
        host: standIn.address,
        port: standIn.tlsPort,
        servername: orders.domain,
        agent: false,
      });
      req.on('response', resolve);
      req.on('error', reject);
      req.end();
    });
    await expect(untrusted).rejects.toThrow(/certificate/i);
  });
});

describe('verifySigV4', () => {
  const base = { method: 'GET', url: '/', body: new Uint8Array() };

  it('explains malformed or foreign signatures', async () => {
    const headers = await signedHeaders('GET', 'orders.example.com', '/');
    expect(await verifySigV4({ ...base, headers }, 'us-east-1')).toMatchObject({
      valid: false,
      reason: 'signed for region eu-west-1, not us-east-1',
    });
    expect(
      await verifySigV4({ ...base, headers: { ...headers, authorization: 'Bearer x' } }, 'eu-west-1'),
    ).toMatchObject({ valid: false, reason: expect.stringMatching(/not a well-formed SigV4/) });
    expect(
      await verifySigV4({ ...base, headers: { ...headers, 'x-amz-security-token': 'other' } }, 'eu-west-1'),
    ).toMatchObject({ valid: false });
    expect(await verifySigV4({ ...base, headers }, 'eu-west-1')).toEqual({
      valid: true,
      region: 'eu-west-1',
    });
  });
});
