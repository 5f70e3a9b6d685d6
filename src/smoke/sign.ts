// Request signing for VPC Lattice services with IAM auth, on top of the signers the AWS SDKs use
// (@smithy/signature-v4 and @smithy/signature-v4a). Lattice wants the signing name `vpc-lattice-svcs`, the service's
// own domain as Host, `x-amz-content-sha256: UNSIGNED-PAYLOAD` (it does not hash bodies) and `x-amz-security-token`
// for temporary credentials. SigV4A (ECDSA over a region set instead of one region) is for services reached through
// a multi-Region service network; curl has no SigV4A, so printed reproductions use SigV4. The signer also returns
// the canonical request and string to sign it produced, which the tests compare with the AWS test vectors and
// `call` prints when a service refuses a signature.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import {
  getCanonicalQuery,
  SignatureV4,
  type SignatureV4CryptoInit,
  type SignatureV4Init,
} from '@smithy/signature-v4';
import { SignatureV4a } from '@smithy/signature-v4a';
import type {
  AwsCredentialIdentity,
  RequestSigningArguments,
  HttpRequest as SignableRequest,
} from '@smithy/types';

/** The signing name Lattice expects in the credential scope. */
export const LATTICE_SIGNING_SERVICE = 'vpc-lattice-svcs';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface RequestToSign {
  method: string;
  /** The name the request is for: Host header (and TLS SNI). Include the port only if it is not the default. */
  host: string;
  /** Path as sent on the wire (already percent-encoded where needed), without the query string. */
  path: string;
  /** Decoded query parameters. */
  query?: Record<string, string | string[]>;
  /** Extra headers to send and sign (names in any case). */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
}

export type SigningAlgorithm = 'sigv4' | 'sigv4a';

export interface SigningParameters {
  service: string;
  /** SigV4: the region. SigV4A: the region set, e.g. `*` or `eu-west-1,eu-central-1` (x-amz-region-set). */
  region: string;
  /** Default 'sigv4'. */
  algorithm?: SigningAlgorithm;
  credentials: AwsCredentialIdentity;
  /** Defaults to now. */
  date?: Date;
  /**
   * Hash the body into `x-amz-content-sha256` (S3-style). Off for Lattice, which takes the header's value as given.
   */
  signBody?: boolean;
  /** Remove `.`/`..` segments and encode the path again, as every service but S3 expects (default true). */
  normalizePath?: boolean;
}

export interface SignedRequest {
  /** Every header to send, lowercase names: the request's own plus host, x-amz-date, the token and authorization. */
  headers: Record<string, string>;
  authorization: string;
  signature: string;
  canonicalRequest: string;
  stringToSign: string;
}

type SmithySigner = new (
  init: SignatureV4Init & SignatureV4CryptoInit,
) => {
  sign(request: SignableRequest, options?: RequestSigningArguments): Promise<SignableRequest>;
};

/** A smithy signer that keeps what it computed on the way to the signature, which smithy does not expose. */
function recording(Signer: SmithySigner) {
  return class Recording extends (Signer as typeof SignatureV4) {
    canonicalRequest = '';
    stringToSign = '';

    protected override async createStringToSign(
      longDate: string,
      credentialScope: string,
      canonicalRequest: string,
      algorithmIdentifier: string,
    ): Promise<string> {
      this.canonicalRequest = canonicalRequest;
      this.stringToSign = await super.createStringToSign(
        longDate,
        credentialScope,
        canonicalRequest,
        algorithmIdentifier,
      );
      return this.stringToSign;
    }
  };
}

const SIGNERS = {
  sigv4: recording(SignatureV4),
  sigv4a: recording(SignatureV4a as unknown as SmithySigner),
} as const;

/** Signs a request (header signing) for any service; see signLatticeRequest for Lattice. */
export async function signRequest(
  request: RequestToSign,
  parameters: SigningParameters,
): Promise<SignedRequest> {
  const signer = new SIGNERS[parameters.algorithm ?? 'sigv4']({
    service: parameters.service,
    region: parameters.region,
    credentials: parameters.credentials,
    sha256: Sha256,
    applyChecksum: parameters.signBody ?? false,
    uriEscapePath: parameters.normalizePath ?? true,
  });
  const headers: Record<string, string> = { host: request.host };
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  const signed = await signer.sign(
    new HttpRequest({
      method: request.method,
      protocol: 'https:',
      hostname: request.host.replace(/:\d+$/, ''),
      path: request.path,
      query: request.query ?? {},
      headers,
      body: request.body,
    }),
    { signingDate: parameters.date ?? new Date() },
  );
  const authorization = String(signed.headers.authorization);
  return {
    headers: Object.fromEntries(
      Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
    ),
    authorization,
    signature: authorization.slice(authorization.lastIndexOf('Signature=') + 'Signature='.length),
    canonicalRequest: signer.canonicalRequest,
    stringToSign: signer.stringToSign,
  };
}

/**
 * Signs a request for a Lattice service with IAM auth: service `vpc-lattice-svcs`, unsigned payload, the session
 * token (when the credentials have one) sent and signed as `x-amz-security-token`.
 */
export function signLatticeRequest(
  request: RequestToSign,
  parameters: {
    region: string;
    credentials: AwsCredentialIdentity;
    date?: Date;
    algorithm?: SigningAlgorithm;
  },
): Promise<SignedRequest> {
  return signRequest(
    { ...request, headers: { ...request.headers, 'x-amz-content-sha256': UNSIGNED_PAYLOAD } },
    { ...parameters, service: LATTICE_SIGNING_SERVICE, signBody: false, normalizePath: true },
  );
}

/**
 * The request target (path and query) to send for a signed request. The query is written in SigV4 canonical form
 * (sorted, strictly percent-encoded): every verifier reads it the same way, and older curl releases (7.88 among
 * them), which sign the query exactly as written instead of sorting it, then sign it correctly too.
 */
export function requestTarget(path: string, query: Record<string, string | string[]> = {}): string {
  const canonical = getCanonicalQuery(new HttpRequest({ query }));
  return canonical ? `${path}?${canonical}` : path;
}
