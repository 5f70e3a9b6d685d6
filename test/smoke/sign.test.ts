// What a Lattice request carries once signed (the generic algorithm is checked against the AWS test vectors).
import { describe, expect, it } from 'vitest';
import { requestTarget, signLatticeRequest } from '../../src/smoke/sign.ts';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const date = new Date('2026-01-02T03:04:05Z');
const request = { method: 'GET', host: 'orders.example.com', path: '/health' };

describe('signLatticeRequest', () => {
  it('SigV4: service vpc-lattice-svcs, Host the service domain, unsigned payload, all of them signed', async () => {
    const signed = await signLatticeRequest(request, { region: 'eu-west-1', credentials, date });
    expect(signed.headers).toMatchObject({
      host: 'orders.example.com',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-date': '20260102T030405Z',
    });
    expect(signed.headers).not.toHaveProperty('x-amz-security-token');
    expect(signed.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20260102\/eu-west-1\/vpc-lattice-svcs\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(signed.canonicalRequest.split('\n').at(-1)).toBe('UNSIGNED-PAYLOAD');
  });

  it('sends and signs the session token of temporary credentials', async () => {
    const signed = await signLatticeRequest(request, {
      region: 'eu-west-1',
      credentials: { ...credentials, sessionToken: 'token-1' },
      date,
    });
    expect(signed.headers['x-amz-security-token']).toBe('token-1');
    expect(signed.authorization).toContain(
      'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,',
    );
    expect(signed.canonicalRequest).toContain('\nx-amz-security-token:token-1\n');
  });

  it('a different secret, region, path or date gives a different signature', async () => {
    const base = await signLatticeRequest(request, { region: 'eu-west-1', credentials, date });
    const variants = await Promise.all([
      signLatticeRequest(request, {
        region: 'eu-west-1',
        credentials: { ...credentials, secretAccessKey: 'x' },
        date,
      }),
      signLatticeRequest(request, { region: 'us-east-1', credentials, date }),
      signLatticeRequest({ ...request, path: '/other' }, { region: 'eu-west-1', credentials, date }),
      signLatticeRequest(request, {
        region: 'eu-west-1',
        credentials,
        date: new Date('2026-01-02T03:04:06Z'),
      }),
    ]);
    for (const variant of variants) expect(variant.signature).not.toBe(base.signature);
  });

  it('SigV4A: ECDSA over the region set, with the same Lattice headers', async () => {
    const signed = await signLatticeRequest(request, { region: '*', credentials, date, algorithm: 'sigv4a' });
    expect(signed.headers).toMatchObject({
      'x-amz-region-set': '*',
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    });
    expect(signed.authorization).toMatch(
      /^AWS4-ECDSA-P256-SHA256 Credential=AKIDEXAMPLE\/20260102\/vpc-lattice-svcs\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set, Signature=30[0-9a-f]+$/,
    );
  });
});

describe('requestTarget', () => {
  it('writes the query in canonical order and encoding', () => {
    expect(requestTarget('/v1', { b: '2', a: ['z', 'y'], 'k k': 'v/v' })).toBe('/v1?a=y&a=z&b=2&k%20k=v%2Fv');
    expect(requestTarget('/v1')).toBe('/v1');
  });
});
