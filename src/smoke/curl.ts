// The curl command that reproduces a request: connect to the load balancer (or local proxy) with --connect-to while
// the URL keeps the service domain (so SNI, certificate check and Host are the service's), signed with curl's own
// --aws-sigv4. Credentials stay environment references ("$AWS_ACCESS_KEY_ID"), never values, so the command can be
// printed in logs and pasted into a shell that has credentials.
import { LATTICE_SIGNING_SERVICE, requestTarget, UNSIGNED_PAYLOAD } from './sign.ts';

export interface CurlRequest {
  method: string;
  scheme: 'http' | 'https';
  /** The service domain: the URL's host, hence SNI and Host. */
  domain: string;
  /** Port the URL names (80 or 443). */
  port: number;
  /** Path, without the query. */
  path: string;
  /** Decoded query parameters; written in canonical order so that any curl signs them right. */
  query?: Record<string, string | string[]>;
  /** Where to connect instead of resolving the domain. */
  connectTo?: { host: string; port: number };
  /** SigV4 for Lattice; sessionToken adds the token header from $AWS_SESSION_TOKEN. */
  sign?: { region: string; sessionToken: boolean };
  caFile?: string;
  /** Local address to connect from (curl --interface). */
  sourceAddress?: string;
  headers?: Record<string, string>;
  data?: string;
}

/** An argument and whether the shell should expand the $VARIABLES in it. */
type Argument = string | { expand: string };

function quote(argument: Argument): string {
  if (typeof argument !== 'string') return `"${argument.expand.replace(/["\\`]/g, '\\$&')}"`;
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replace(/'/g, `'\\''`)}'`;
}

function bracketIpv6(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function curlArguments(request: CurlRequest): Argument[] {
  const args: Argument[] = ['curl', '-sS', '-i'];
  if (request.data !== undefined ? request.method !== 'POST' : request.method !== 'GET') {
    args.push('-X', request.method);
  }
  if (request.connectTo) {
    const { host, port } = request.connectTo;
    args.push('--connect-to', `${request.domain}:${request.port}:${bracketIpv6(host)}:${port}`);
  }
  if (request.sourceAddress) args.push('--interface', request.sourceAddress);
  if (request.caFile) args.push('--cacert', request.caFile);
  if (request.sign) {
    args.push('--aws-sigv4', `aws:amz:${request.sign.region}:${LATTICE_SIGNING_SERVICE}`);
    args.push('--user', { expand: '$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY' });
    if (request.sign.sessionToken) args.push('-H', { expand: 'x-amz-security-token: $AWS_SESSION_TOKEN' });
    args.push('-H', `x-amz-content-sha256: ${UNSIGNED_PAYLOAD}`);
  }
  for (const [name, value] of Object.entries(request.headers ?? {})) args.push('-H', `${name}: ${value}`);
  if (request.data !== undefined) args.push('--data-raw', request.data);
  const defaultPort = request.scheme === 'https' ? 443 : 80;
  const authority = request.port === defaultPort ? request.domain : `${request.domain}:${request.port}`;
  args.push(`${request.scheme}://${authority}${requestTarget(request.path, request.query)}`);
  return args;
}

/** One line a person can paste into a POSIX shell (bash, zsh, sh). */
export function renderCurl(request: CurlRequest): string {
  return curlArguments(request).map(quote).join(' ');
}
