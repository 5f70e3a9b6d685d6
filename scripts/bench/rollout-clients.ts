// Load clients for the rollout benchmark: each sends GET requests one after the other (with a short pause) through
// the load balancer's stand-in until told to stop, over HTTP or TLS, on a new connection per request or on one kept
// alive, and either gives up on a connection error or retries once, as AWS SDKs and browsers do for an idempotent
// request. Each records what a user would notice: failed requests and the longest time without an answer.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

export interface ClientKind {
  name: string;
  tls: boolean;
  keepAlive: boolean;
  retry: boolean;
}

/** Every transport, without and with one retry. */
export const CLIENT_KINDS: readonly ClientKind[] = [
  { name: 'HTTP Connection: close', tls: false, keepAlive: false },
  { name: 'HTTP keepalive', tls: false, keepAlive: true },
  { name: 'TLS keepalive', tls: true, keepAlive: true },
  { name: 'TLS connection per request', tls: true, keepAlive: false },
].flatMap((transport) => [
  { ...transport, retry: false },
  { ...transport, name: `${transport.name}, retry once`, retry: true },
]);

export interface ClientTarget {
  host: string;
  httpPort: number;
  tlsPort: number;
  /** The service's name: Host header and SNI. */
  domain: string;
  /** CA bundle the service's certificate verifies against (TLS is end to end with the service). */
  ca: string;
  /** What is requested; the stand-in can hold its answer (?delay_ms=), as a service takes time to answer. */
  path: string;
}

export interface ClientResult {
  kind: string;
  requests: number;
  failures: number;
  retries: number;
  /** Longest time a client went without a successful answer, pauses included, and when it ended (ms from start). */
  longestGapMs: number;
  longestGapEndedAtMs: number;
  /** When each failure happened, in ms from the start of the run. */
  failureTimesMs: number[];
  failureReasons: Record<string, number>;
}

const REQUEST_TIMEOUT_MS = 5_000;

/** One request; resolves with null on a 200, with why not otherwise. */
function attempt(kind: ClientKind, target: ClientTarget, agent: HttpAgent | false): Promise<string | null> {
  return new Promise((resolve) => {
    const options = {
      host: target.host,
      port: kind.tls ? target.tlsPort : target.httpPort,
      path: target.path,
      agent,
      headers: { Host: target.domain, ...(kind.keepAlive ? {} : { Connection: 'close' }) },
      timeout: REQUEST_TIMEOUT_MS,
    };
    const request = kind.tls
      ? httpsRequest({ ...options, servername: target.domain, ca: target.ca })
      : httpRequest(options);
    request.once('response', (response) => {
      response.resume();
      response.once('end', () =>
        resolve(response.statusCode === 200 ? null : `status ${response.statusCode}`),
      );
      response.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    request.once('timeout', () => request.destroy(new Error('timeout')));
    request.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    request.end();
  });
}

/** One request as the client kind makes it (retried once on a connection error when it retries), counted. */
async function request(
  kind: ClientKind,
  target: ClientTarget,
  agent: HttpAgent | HttpsAgent | false,
  result: ClientResult,
): Promise<string | null> {
  let failure = await attempt(kind, target, agent);
  if (failure !== null && kind.retry && !failure.startsWith('status')) {
    result.retries += 1;
    failure = await attempt(kind, target, agent);
  }
  result.requests += 1;
  if (failure !== null) result.failures += 1;
  return failure;
}

/** A failure's time and reason, or the gap an answer ended; returns when the last answer came. */
function noteAnswer(
  result: ClientResult,
  failure: string | null,
  lastAnswer: number,
  startedAt: number,
): number {
  const now = performance.now();
  if (failure !== null) {
    result.failureTimesMs.push(Math.round(now - startedAt));
    result.failureReasons[failure] = (result.failureReasons[failure] ?? 0) + 1;
    return lastAnswer;
  }
  if (now - lastAnswer > result.longestGapMs) {
    result.longestGapMs = now - lastAnswer;
    result.longestGapEndedAtMs = Math.round(now - startedAt);
  }
  return now;
}

/**
 * Runs `count` clients of one kind until `stopped()` is true. Only connection errors are retried: a status other
 * than 200 is an answer, and a failure.
 */
export async function runClients(
  kind: ClientKind,
  target: ClientTarget,
  options: { count: number; pauseMs: number; startedAt: number; stopped: () => boolean },
): Promise<ClientResult> {
  const result: ClientResult = {
    kind: kind.name,
    requests: 0,
    failures: 0,
    retries: 0,
    longestGapMs: 0,
    longestGapEndedAtMs: 0,
    failureTimesMs: [],
    failureReasons: {},
  };
  const client = async () => {
    const Agent = kind.tls ? HttpsAgent : HttpAgent;
    // One connection per client, kept between requests; `false` makes a new one per request.
    const agent = kind.keepAlive ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
    let lastAnswer = performance.now();
    while (!options.stopped()) {
      const failure = await request(kind, target, agent, result);
      lastAnswer = noteAnswer(result, failure, lastAnswer, options.startedAt);
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
    if (agent) agent.destroy();
  };
  await Promise.all(Array.from({ length: options.count }, client));
  result.longestGapMs = Math.round(result.longestGapMs);
  return result;
}
