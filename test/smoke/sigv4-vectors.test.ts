// The signer against the AWS SigV4 test suite (aws-c-auth's aws-signing-test-suite) in ../shared/sigv4-testsuite:
// for every v4 case, the canonical request, string to sign, signature and Authorization header must match the
// expected files exactly. A clone without ../shared skips these tests and says so.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signRequest } from '../../src/smoke/sign.ts';

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const SUITE = join(REPO_ROOT, '..', 'shared', 'sigv4-testsuite', 'v4');
const present = existsSync(SUITE);
if (!present) {
  console.warn(`SigV4 test vectors not found at ${SUITE}: skipping the signing test-vector tests.`);
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

const cases = present ? readdirSync(SUITE).sort() : [];

describe.skipIf(!present)('SigV4 test vectors (../shared/sigv4-testsuite/v4)', () => {
  it('finds the suite', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases)('%s', async (name) => {
    const read = (file: string) => readFileSync(join(SUITE, name, file), 'utf8');
    const context = JSON.parse(read('context.json')) as Context;
    const { headers, ...request } = parseRequest(read('request.txt'));
    const { host = '', ...otherHeaders } = headers;
    const token = context.omit_session_token ? undefined : context.credentials.token;
    const signed = await signRequest(
      {
        ...request,
        path: context.normalize ? request.path : encodePath(request.path),
        host,
        headers: otherHeaders,
      },
      {
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
    expect(signed.canonicalRequest).toBe(read('header-canonical-request.txt'));
    expect(signed.stringToSign).toBe(read('header-string-to-sign.txt'));
    expect(signed.signature).toBe(read('header-signature.txt').trim());
    const expectedAuthorization = read('header-signed-request.txt')
      .split('\n')
      .find((line) => line.startsWith('Authorization:'))
      ?.slice('Authorization:'.length);
    expect(signed.authorization).toBe(expectedAuthorization);
  });
});
