// Checks, the way Lattice does for services with IAM auth, that a request's SigV4 signature is valid: the stand-in
// services recompute it with the local test credentials. A request the proxy altered in any signed part (Host, path,
// query, a signed header, the body) fails here, which is what proves the proxy passes signed requests intact.
import { createHash } from 'node:crypto';
import type { AwsCredentialIdentity } from '@smithy/types';
import { LATTICE_SIGNING_SERVICE, signRequest } from '../smoke/sign.ts';

/**
 * Credentials the local stack's clients sign with and its stand-in services verify against. Fake by design (they
 * open nothing anywhere); they include a session token so the x-amz-security-token path is exercised too.
 */
export const LOCAL_TEST_CREDENTIALS: Readonly<Required<Pick<AwsCredentialIdentity, 'sessionToken'>>> &
  AwsCredentialIdentity = Object.freeze({
  accessKeyId: 'AKIALOCALSTACKTEST01',
  secretAccessKey: 'local-stack-test-secret-access-key-0000',
  sessionToken: 'local-stack-test-session-token',
});

export const SIGV4_HEADERS = [
  'authorization',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
] as const;

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as received (e.g. req.url). */
  url: string;
  /** Lowercase header names, as node gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

export type SignatureVerdict =
  | { valid: true; region: string }
  | { valid: false; reason: string; missing?: boolean };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=(?<key>[A-Z0-9]+)\/(?<date>\d{8})\/(?<region>[a-z0-9-]+)\/(?<service>[a-z0-9-]+)\/aws4_request, ?SignedHeaders=(?<signed>[a-z0-9-]+(?:;[a-z0-9-]+)*), ?Signature=(?<signature>[0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

function header(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

type AuthorizationParts = Record<string, string>;

/** Why the request's signing parameters are wrong before any signature is computed; undefined when they are right. */
function scopeProblem(
  request: ReceivedRequest,
  auth: AuthorizationParts,
  amzDate: string,
  expectedRegion: string,
  credentials: AwsCredentialIdentity,
): string | undefined {
  if (auth.key !== credentials.accessKeyId) return `unknown access key ${auth.key}`;
  if (auth.service !== LATTICE_SIGNING_SERVICE)
    return `signed for service ${auth.service}, not ${LATTICE_SIGNING_SERVICE}`;
  if (auth.region !== expectedRegion) return `signed for region ${auth.region}, not ${expectedRegion}`;
  if (!amzDate.startsWith(auth.date as string)) return 'credential scope date differs from x-amz-date';
  const signed = (auth.signed as string).split(';');
  const unsigned = ['host', 'x-amz-date'].find((required) => !signed.includes(required));
  if (unsigned) return `the ${unsigned} header is not signed`;
  if (credentials.sessionToken && header(request, 'x-amz-security-token') !== credentials.sessionToken)
    return 'x-amz-security-token is missing or wrong';
  const payloadHash = header(request, 'x-amz-content-sha256');
  const hashed = payloadHash && /^[0-9a-f]{64}$/.test(payloadHash);
  if (hashed && createHash('sha256').update(request.body).digest('hex') !== payloadHash)
    return 'x-amz-content-sha256 does not match the body received';
  return undefined;
}

/** Verifies the request's SigV4 Authorization header against `credentials` for the given region. */
export async function verifySigV4(
  request: ReceivedRequest,
  expectedRegion: string,
  credentials: AwsCredentialIdentity = LOCAL_TEST_CREDENTIALS,
): Promise<SignatureVerdict> {
  const authorization = header(request, 'authorization');
  if (!authorization)
    return { valid: false, missing: true, reason: 'no Authorization header (unsigned request)' };
  const auth = AUTHORIZATION.exec(authorization)?.groups;
  if (!auth) return { valid: false, reason: 'Authorization header is not a well-formed SigV4 header' };
  const amzDate = header(request, 'x-amz-date');
  const date = amzDate && AMZ_DATE.exec(amzDate);
  if (!date) return { valid: false, reason: 'x-amz-date is missing or malformed' };
  const problem = scopeProblem(request, auth as AuthorizationParts, amzDate, expectedRegion, credentials);
  if (problem) return { valid: false, reason: problem };
  const signed = (auth.signed as string).split(';');
  const token = header(request, 'x-amz-security-token');

  // Recompute with exactly the headers the client signed, as they arrived, through the clients' own signer.
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const value = header(request, name);
    if (value === undefined) return { valid: false, reason: `signed header ${name} did not arrive` };
    headers[name] = value;
  }
  const { host = '', ...otherHeaders } = headers;
  const url = new URL(request.url, 'http://stand-in.invalid');
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? (values[0] as string) : values;
  }
  const [, year, month, day, hours, minutes, seconds] = date.map(Number) as number[];
  const recomputed = await signRequest(
    {
      method: request.method,
      host,
      path: url.pathname,
      query,
      headers: otherHeaders,
      body: request.body.length > 0 ? request.body : undefined,
    },
    {
      service: LATTICE_SIGNING_SERVICE,
      region: expectedRegion,
      // The signer adds the token it is given to the signed headers, so give it only when the client signed it.
      credentials: {
        ...credentials,
        sessionToken: signed.includes('x-amz-security-token') ? token : undefined,
      },
      date: new Date(Date.UTC(year as number, (month as number) - 1, day, hours, minutes, seconds)),
      // An x-amz-content-sha256 header, when signed, is taken as given; without one the body is hashed.
      signBody: false,
    },
  );
  return recomputed.signature === auth.signature
    ? { valid: true, region: auth.region as string }
    : { valid: false, reason: 'signature does not match (a signed part of the request changed on the way)' };
}
