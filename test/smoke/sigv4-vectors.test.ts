// The signer against the AWS signing test suite (aws-c-auth's aws-signing-test-suite) in ../shared/sigv4-testsuite.
// SigV4: for every case, the canonical request, string to sign, signature and Authorization header must match the
// expected files exactly. SigV4A signatures are randomised (ECDSA): the canonical request, string to sign and the
// Authorization header up to the signature must match exactly, and the signature must verify with the case's public
// key, which proves the key derived from the secret is the expected one. A clone without ../shared skips these
// tests and says so.
import { createPublicKey, verify } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type SigningAlgorithm, signRequest } from '../../src/smoke/sign.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const SUITE = join(REPO_ROOT, '..', 'shared', 'sigv4-testsuite');
const present = existsSync(SUITE);
if (!present) {
  console.warn(`SigV4/SigV4A test vectors not found at ${SUITE}: skipping the signing test-vector tests.`);
}

interface Context {
  credentials: { access_key_id: string; secret_access_key: string; token?: string };
  region: string;
  service: string;
  timestamp: string;
  normalize: boolean;
  sign_body: boolean;
  omit_session_token?: boolean;
}

/** request.txt: request line, headers (folded continuation lines, repeated names), blank line, body. */
function parseRequest(text: string) {
  const [head = '', ...bodyParts] = text.split('\n\n');
  const [requestLine = '', ...lines] = head.split('\n');
  const match = /^(\S+) (.*) HTTP\/1\.1$/.exec(requestLine);
  if (!match) throw new Error(`bad request line: ${requestLine}`);
  const [, method = '', target = ''] = match;
  const headers: [string, string][] = [];
  for (const line of lines) {
    if (line === '') continue;
    const last = headers.at(-1);
    if (/^\s/.test(line) && last) last[1] += ` ${line.trim()}`;
    else {
      const colon = line.indexOf(':');
      headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
    }
  }
  const joined: Record<string, string> = {};
  for (const [name, value] of headers) joined[name] = name in joined ? `${joined[name]},${value}` : value;
  const queryStart = target.indexOf('?');
  const path = queryStart < 0 ? target : target.slice(0, queryStart);
  const query: Record<string, string | string[]> = {};
  if (queryStart >= 0) {
    for (const pair of target.slice(queryStart + 1).split('&')) {
      const [key = '', value = ''] = pair.split('=').map(decodeURIComponent);
      const previous = query[key];
      query[key] = previous === undefined ? value : [previous, value].flat();
    }
  }
  const body = bodyParts.join('\n\n');
  return { method, path, query, headers: joined, body: body || undefined };
}

/** What a client serializer puts on the wire for a path an S3-style (non-normalizing) signer takes as is. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** Signs a case's request.txt with its context.json. */
function signCase(dir: string, algorithm: SigningAlgorithm) {
  const read = (file: string) => readFileSync(join(dir, file), 'utf8');
  const context = JSON.parse(read('context.json')) as Context;
  const { headers, ...request } = parseRequest(read('request.txt'));
  const { host = '', ...otherHeaders } = headers;
  const token = context.omit_session_token ? undefined : context.credentials.token;
  const signed = signRequest(
    {
      ...request,
      path: context.normalize ? request.path : encodePath(request.path),
      host,
      headers: otherHeaders,
    },
    {
      algorithm,
      service: context.service,
      region: context.region,
      credentials: {
        accessKeyId: context.credentials.access_key_id,
        secretAccessKey: context.credentials.secret_access_key,
        ...(token ? { sessionToken: token } : {}),
      },
      date: new Date(context.timestamp),
      signBody: context.sign_body,
      normalizePath: context.normalize,
    },
  );
  const expectedAuthorization = read('header-signed-request.txt')
    .split('\n')
    .find((line) => line.startsWith('Authorization:'))
    ?.slice('Authorization:'.length);
  return { read, signed, expectedAuthorization };
}

/** The cases of a suite that state an expected result (two v4a cases in the suite hold only a request). */
const casesOf = (version: string) =>
  present
    ? readdirSync(join(SUITE, version))
        .filter((name) => existsSync(join(SUITE, version, name, 'header-canonical-request.txt')))
        .sort()
    : [];

describe.skipIf(!present)('SigV4 test vectors (../shared/sigv4-testsuite/v4)', () => {
  const cases = casesOf('v4');
  it('finds the suite', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases)('%s', async (name) => {
    const { read, signed, expectedAuthorization } = signCase(join(SUITE, 'v4', name), 'sigv4');
    const result = await signed;
    expect(result.canonicalRequest).toBe(read('header-canonical-request.txt'));
    expect(result.stringToSign).toBe(read('header-string-to-sign.txt'));
    expect(result.signature).toBe(read('header-signature.txt').trim());
    expect(result.authorization).toBe(expectedAuthorization);
  });
});

describe.skipIf(!present)('SigV4A test vectors (../shared/sigv4-testsuite/v4a)', () => {
  const cases = casesOf('v4a');
  it('finds the suite', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases)('%s', async (name) => {
    const { read, signed, expectedAuthorization } = signCase(join(SUITE, 'v4a', name), 'sigv4a');
    const result = await signed;
    expect(result.canonicalRequest).toBe(read('header-canonical-request.txt'));
    expect(result.stringToSign).toBe(read('header-string-to-sign.txt'));
    const withoutSignature = (authorization = '') =>
      authorization.slice(0, authorization.indexOf('Signature='));
    expect(withoutSignature(result.authorization)).toBe(withoutSignature(expectedAuthorization));

    const { X, Y } = JSON.parse(read('public-key.json')) as { X: string; Y: string };
    const publicKey = createPublicKey({
      key: {
        kty: 'EC',
        crv: 'P-256',
        x: Buffer.from(X, 'hex').toString('base64url'),
        y: Buffer.from(Y, 'hex').toString('base64url'),
      },
      format: 'jwk',
    });
    const signature = Buffer.from(result.signature, 'hex');
    expect(verify('sha256', Buffer.from(result.stringToSign), publicKey, signature)).toBe(true);
    // And the check can fail: the same signature does not verify another string.
    expect(verify('sha256', Buffer.from(`${result.stringToSign}x`), publicKey, signature)).toBe(false);
  });
});
