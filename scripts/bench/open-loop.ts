// An open-loop load generator: requests start on a fixed schedule whether or not earlier ones have answered, and
// each latency counts from when its request was due, not from when it was sent. A closed-loop client (wrk, curl)
// waits for an answer before the next request, so a slow proxy slows the client down and its own delay goes
// unmeasured; here it shows up in the percentiles.
import http from 'node:http';
import https from 'node:https';

export interface OpenLoopResult {
  /** Requests per second asked for and reached (the client itself may fall behind on a busy machine). */
  rate: number;
  achievedRate: number;
  requests: number;
  /** Answers other than 200, connection errors and timeouts. */
  failures: number;
  /** Due while MAX_IN_FLIGHT were unanswered, so not sent: the target (or the client) could not keep up. */
  notSent: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
}

/** Requests due while this many are unanswered are not sent (and counted): a bound on a stalled target. */
const MAX_IN_FLIGHT = 4_000;

export async function openLoop(
  rate: number,
  seconds: number,
  send: () => Promise<void>,
): Promise<OpenLoopResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let failures = 0;
  let notSent = 0;
  let inFlight = 0;
  let started = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  while (started < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; started < due; started++) {
      const dueAt = start + (started / rate) * 1000;
      if (inFlight >= MAX_IN_FLIGHT) {
        notSent++;
        continue;
      }
      inFlight++;
      pending.push(
        send().then(
          () => {
            latencies.push(performance.now() - dueAt);
            inFlight--;
          },
          () => {
            failures++;
            inFlight--;
          },
        ),
      );
    }
    // Yield to the event loop so answers are read; a timer would add its own 1 ms granularity.
    await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] as number);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    rate,
    achievedRate: Math.round(latencies.length / elapsed),
    requests: latencies.length,
    failures,
    notSent,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    p999Ms: round(at(0.999)),
  };
}

export interface Target {
  host: string;
  port: number;
  /** The service name: Host header, SNI and certificate name. */
  domain: string;
}

/** One GET over the given agent (keepalive) or a new connection per request (`agent: false`). */
export function getter(
  scheme: 'http' | 'https',
  target: Target,
  options: { keepAlive: boolean; ca?: Buffer },
): () => Promise<void> {
  const module = scheme === 'http' ? http : https;
  const agent = options.keepAlive
    ? new module.Agent({ keepAlive: true, maxSockets: 256, ...(options.ca ? { ca: options.ca } : {}) })
    : false;
  return () =>
    new Promise<void>((resolve, reject) => {
      const request = module.request(
        {
          host: target.host,
          port: target.port,
          path: '/',
          agent,
          headers: { Host: target.domain, ...(options.keepAlive ? {} : { Connection: 'close' }) },
          ...(scheme === 'https' ? { servername: target.domain, ca: options.ca } : {}),
          timeout: 10_000,
        },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200 ? resolve() : reject(new Error(`${response.statusCode}`)),
          );
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', reject);
      request.end();
    });
}
