// A stand-in for one Lattice service: HTTPS with a certificate for the service's names and plain HTTP, on the
// loopback address the local DNS server gives its Lattice name. It answers JSON that echoes what arrived (Host, SNI,
// method, path, the SigV4 headers) so a client can see the proxy passed its request through untouched, and it
// behaves like Lattice where that matters to the proxy: a Host or SNI it does not serve gets 421, and a service
// with IAM auth refuses (403) a request whose signature is missing or does not verify.
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { type Service, upstreamName } from '../config/model.ts';
import type { KeyPair } from './certificates.ts';
import { SIGV4_HEADERS, type SignatureVerdict, verifySigV4 } from './sigv4.ts';

/** Query parameter that delays the answer, for tests of in-flight requests (graceful stop, reload). */
export const DELAY_PARAMETER = 'delay_ms';
const MAX_DELAY_MS = 60_000;
const MAX_BODY_BYTES = 1024 * 1024;

export interface StandInOptions {
  service: Service;
  /** Loopback address to listen on, e.g. 127.0.1.1. */
  address: string;
  httpPort: number;
  tlsPort: number;
  /** Certificate for the service's names, signed by the local CA. */
  tls: Pick<KeyPair, 'cert' | 'key'>;
  /** Region a signed request's credential scope must name. */
  region: string;
}

export interface StandIn {
  service: Service;
  address: string;
  httpPort: number;
  tlsPort: number;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** What the stand-in answers, as JSON. */
export interface StandInEcho {
  service: string;
  scheme: 'http' | 'https';
  host: string | null;
  sni: string | null;
  method: string;
  path: string;
  /** The SigV4 headers as received (only those present). */
  sigv4: Partial<Record<(typeof SIGV4_HEADERS)[number], string>>;
  /** 'valid', 'not required' (auth: none), or why the signature was refused. */
  signature: string;
  /** The peer address the request came from (the proxy). */
  peer: string | null;
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const { service, address } = options;
  const names = new Set([service.domain, upstreamName(service)]);
  let requests = 0;

  /** The status to answer with, and what became of the signature: wrong Host or SNI first, then SigV4. */
  const answer = async (
    request: { scheme: 'http' | 'https'; host: string | null; sni: string | null; pathname: string },
    verify: () => Promise<SignatureVerdict>,
  ): Promise<{ status: number; signature: string }> => {
    const { host, sni } = request;
    if (!host || !names.has(host.replace(/:\d+$/, '').toLowerCase())) {
      return { status: 421, signature: `not checked: this service does not serve Host ${host ?? '(none)'}` };
    }
    if (request.scheme === 'https' && (!sni || !names.has(sni))) {
      return { status: 421, signature: `not checked: this service does not serve SNI ${sni ?? '(none)'}` };
    }
    const status = request.pathname === service.smoke.path ? service.smoke.expect : 200;
    if (service.auth !== 'iam') return { status, signature: 'not required' };
    const verdict = await verify();
    return verdict.valid ? { status, signature: 'valid' } : { status: 403, signature: verdict.reason };
  };

  const handle = async (scheme: 'http' | 'https', req: IncomingMessage, res: ServerResponse) => {
    requests += 1;
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const host = req.headers.host ?? null;
    const sni = scheme === 'https' ? (req.socket as TLSSocket).servername || null : null;
    const sigv4 = Object.fromEntries(
      SIGV4_HEADERS.flatMap((name) =>
        typeof req.headers[name] === 'string' ? [[name, req.headers[name]]] : [],
      ),
    );
    const echo: Omit<StandInEcho, 'signature'> = {
      service: service.name,
      scheme,
      host,
      sni,
      method: req.method ?? '',
      path: req.url ?? '',
      sigv4,
      peer: req.socket.remoteAddress ?? null,
    };
    const { status, signature } = await answer({ scheme, host, sni, pathname: url.pathname }, async () =>
      verifySigV4(
        { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body },
        options.region,
      ),
    );
    const delay = Math.min(Number(url.searchParams.get(DELAY_PARAMETER)) || 0, MAX_DELAY_MS);
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const payload = `${JSON.stringify({ ...echo, signature } satisfies StandInEcho)}\n`;
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
    });
    res.end(payload);
  };
  const onError = (res: ServerResponse) => (error: unknown) => {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`stand-in error: ${error instanceof Error ? error.message : String(error)}\n`);
  };

  const http = createHttpServer((req, res) => handle('http', req, res).catch(onError(res)));
  const https = createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) =>
    handle('https', req, res).catch(onError(res)),
  );
  const servers = [http, https];
  for (const server of servers) {
    // Longer than nginx's upstream keepalive_timeout, so the proxy, not the service, closes idle connections.
    server.keepAliveTimeout = 75_000;
    server.headersTimeout = 80_000;
  }
  try {
    await Promise.all([listen(http, address, options.httpPort), listen(https, address, options.tlsPort)]);
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return {
    service,
    address,
    httpPort: boundPort(http),
    tlsPort: boundPort(https),
    get requests() {
      return requests;
    },
    close: async () => {
      await Promise.all(servers.map(closeServer));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function boundPort(server: Server): number {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('server is not listening');
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
