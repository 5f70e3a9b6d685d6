// One HTTP(S) request to a service through a given endpoint, the way a client outside the VPC makes it: the TCP
// connection goes to the endpoint (load balancer or local proxy), while SNI, the certificate check and Host all use
// the service domain, because TLS runs end to end with Lattice. Never throws: a request that gets no response says
// how it ended, which is what a refusal check needs.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ProbeRequest {
  scheme: 'http' | 'https';
  /** Where to connect: host name or address, and port. */
  connectHost: string;
  connectPort: number;
  /** The service domain: SNI, certificate name and Host. */
  domain: string;
  method: string;
  /** Path and query as sent. */
  path: string;
  /** Headers to send besides Host (e.g. the SigV4 ones). */
  headers?: Record<string, string>;
  body?: string;
  /** Trusted CA certificates (PEM) instead of the system store. */
  ca?: string;
  /** Local address to connect from. */
  sourceAddress?: string;
  timeoutMs: number;
}

/** How a request without a response ended. */
export type Failure =
  /** Nothing listens (TCP RST to the SYN). */
  | 'refused'
  /** Connected, then closed or reset before any response (during the TLS handshake or after the request). */
  | 'closed'
  /** The TCP connection was never answered (a security group or firewall dropping the packets). */
  | 'unanswered'
  /** Connected, but no response in time. */
  | 'timeout'
  /** The endpoint name does not resolve. */
  | 'dns'
  /** The certificate is not trusted or not valid for the service domain. */
  | 'certificate'
  | 'other';

export type ProbeOutcome =
  | { kind: 'response'; status: number; headers: IncomingHttpHeaders; body: string; latencyMs: number }
  | { kind: 'failure'; failure: Failure; message: string; latencyMs: number };

const MAX_BODY_BYTES = 64 * 1024;

export function classifyError(error: NodeJS.ErrnoException): Failure {
  const code = error.code ?? '';
  if (code === 'ECONNREFUSED') return 'refused';
  if (code === 'ECONNRESET' || code === 'EPIPE' || /socket hang up/i.test(error.message)) return 'closed';
  if (code === 'ETIMEDOUT' || code === 'ABORT_ERR' || error.name === 'TimeoutError') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns';
  if (/CERT|SELF_SIGNED|UNABLE_TO_(?:VERIFY|GET)|ERR_TLS_CERT_ALTNAME_INVALID|HOSTNAME_MISMATCH/.test(code)) {
    return 'certificate';
  }
  return 'other';
}

export function probe(request: ProbeRequest): Promise<ProbeOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
  const send = request.scheme === 'https' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let connected = false;
    const req = send({
      host: request.connectHost,
      port: request.connectPort,
      method: request.method,
      path: request.path,
      headers: { host: request.domain, ...request.headers },
      // The certificate is checked against servername, not the address connected to (default checkServerIdentity).
      servername: request.domain,
      ca: request.ca,
      localAddress: request.sourceAddress,
      // A fresh connection per attempt: a retry must not reuse a connection to a task that is being replaced.
      agent: false,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    req.on('socket', (socket) => {
      // 'connect' is the TCP connection (before any TLS handshake): it tells a dropped SYN from a slow server.
      socket.once('connect', () => {
        connected = true;
      });
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) chunks.push(chunk);
        size += chunk.length;
      });
      res.on('end', () =>
        resolve({
          kind: 'response',
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES),
          latencyMs: elapsed(),
        }),
      );
      res.on('error', (error) =>
        resolve({
          kind: 'failure',
          failure: classifyError(error),
          message: error.message,
          latencyMs: elapsed(),
        }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      let failure = classifyError(error);
      let message = error.message;
      if (failure === 'timeout' && !connected) {
        failure = 'unanswered';
        message = `no answer to the TCP connection within ${request.timeoutMs} ms`;
      } else if (failure === 'timeout') {
        message = `connected, but no response within ${request.timeoutMs} ms`;
      }
      resolve({ kind: 'failure', failure, message, latencyMs: elapsed() });
    });
    req.end(request.body);
  });
}
