// The smoke test: one check per service and port. Each check connects to the endpoint (NLB or local proxy) as a
// client of that service would (SNI, certificate name and Host = the service domain), signs for `auth: iam`, and
// retries with backoff until it sees what it expects or its budget runs out:
// - expect 'allowed' (from an allowlisted source): the service's smoke.expect status;
// - expect 'refused' (from a source not on the allowlist): no service response at all (see judge()); a connection
//   nobody answers proves nothing about the proxy and is reported as not tested.
// Planning and judging are pure; only runSmokeChecks does I/O (through probe()).
import { readFile } from 'node:fs/promises';
import type { AwsCredentialIdentity } from '@smithy/types';
import { LATTICE_DNS_NAME, type Service } from '../config/model.ts';
import type { SmokeCheck, SmokeEndpoint, SmokeExpectation, SmokeResult } from '../smoke-plan/checks.ts';
import { renderCurl } from './curl.ts';
import { type Failure, type ProbeOutcome, probe } from './probe.ts';
import { type Clock, type RetryPolicy, retryUntil, systemClock } from './retry.ts';
import { signLatticeRequest } from './sign.ts';

export interface SmokeOptions {
  /** Signing region for services whose name does not carry one (custom domains). */
  region: string;
  /** Needed to sign for `auth: iam` services; without them those checks fail (allowed) or go unsigned (refused). */
  credentials?: AwsCredentialIdentity;
  /** PEM file of the CA(s) to trust instead of the system store (local stack, private CAs). */
  caFile?: string;
  /** Local address to connect from. */
  sourceAddress?: string;
  retry?: { attempts: number; initialDelayMs: number; maxDelayMs: number };
  /** Default 'allowed'. */
  expect?: SmokeExpectation;
  /** Total time each check may spend retrying (default 300 s). */
  budgetMs?: number;
  /** Time one attempt may take (default 10 s, never more than what is left of the budget). */
  requestTimeoutMs?: number;
  clock?: Clock;
}

export const DEFAULT_RETRY = { attempts: 12, initialDelayMs: 1_000, maxDelayMs: 20_000 } as const;
export const DEFAULT_BUDGET_MS = 300_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const MIN_REQUEST_TIMEOUT_MS = 1_000;

/** The region to sign for: the one in the Lattice-generated name, else the environment's. */
export function signingRegion(service: Service, fallback: string): string {
  const name = service.latticeDomain ?? service.domain;
  return LATTICE_DNS_NAME.exec(name)?.groups?.region ?? fallback;
}

/**
 * NGINX's own error page: the proxy answers 403 itself to a plain-HTTP client that is not on the allowlist (on TLS
 * it closes the connection). A 403 from Lattice (a refused signature) looks different and does not count.
 */
const PROXY_REFUSAL_PAGE = /<center>nginx<\/center>/;

export interface Verdict {
  ok: boolean;
  /** Nothing was learned: the connection went unanswered, which a dropping security group and a dead fleet share. */
  untested?: boolean;
  /** True when retrying cannot change the answer (an untrusted certificate). */
  final: boolean;
  outcome: string;
  error?: string;
}

/** Why an outcome without a response still is not the refusal a check expects. */
const NOT_A_REFUSAL: Partial<Record<Failure, string>> = {
  refused: ' (nothing accepts connections there: that is not the proxy refusing a source)',
  timeout: ' (a connection that is accepted and then hangs is not a refusal)',
};

/** An attempt that got no response: the refusal a `refused` check expects, untested, or a failure. */
function judgeFailure(
  outcome: Extract<ProbeOutcome, { kind: 'failure' }>,
  expectation: SmokeExpectation,
): Verdict {
  // The proxy accepts the connection and closes it. A load balancer security group that admits only the
  // allowlist never answers it, but neither does a load balancer with no task behind it, so an unanswered
  // connection is not a refusal: it is not tested (the smoke action then gates on target health instead).
  // Nothing listening at all, or a server that accepts and hangs, is a failure.
  if (expectation === 'refused' && outcome.failure === 'closed') {
    return { ok: true, final: false, outcome: outcome.failure };
  }
  if (expectation === 'refused' && outcome.failure === 'unanswered') {
    return { ok: false, untested: true, final: true, outcome: 'unanswered' };
  }
  return {
    ok: false,
    final: outcome.failure === 'certificate',
    outcome: outcome.failure,
    error: `${outcome.failure}: ${outcome.message}${expectation === 'refused' ? (NOT_A_REFUSAL[outcome.failure] ?? '') : ''}`,
  };
}

/** Whether one attempt's outcome is what the check expects. */
export function judge(outcome: ProbeOutcome, expected: number, expectation: SmokeExpectation): Verdict {
  if (outcome.kind === 'failure') return judgeFailure(outcome, expectation);
  const status = String(outcome.status);
  if (expectation === 'refused') {
    if (outcome.status === 403 && PROXY_REFUSAL_PAGE.test(outcome.body)) {
      return { ok: true, final: false, outcome: `${status} (proxy)` };
    }
    return {
      ok: false,
      final: false,
      outcome: status,
      error: `got HTTP ${status} from the service: this source was let through, expected a refusal`,
    };
  }
  if (outcome.status === expected) return { ok: true, final: false, outcome: status };
  const body = outcome.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  return {
    ok: false,
    final: false,
    outcome: status,
    error: `got HTTP ${status}, expected ${expected}${body ? `: ${body}` : ''}`,
  };
}

/** Runs the checks concurrently; results come back in the order of `checks`. */
export async function runSmokeChecks(
  checks: SmokeCheck[],
  endpoint: SmokeEndpoint,
  options: SmokeOptions,
): Promise<SmokeResult[]> {
  const ca = options.caFile ? await readFile(options.caFile, 'utf8') : undefined;
  return Promise.all(checks.map((check) => runCheck(check, endpoint, options, ca)));
}

async function runCheck(
  { service, port }: SmokeCheck,
  endpoint: SmokeEndpoint,
  options: SmokeOptions,
  ca: string | undefined,
): Promise<SmokeResult> {
  const expectation = options.expect ?? 'allowed';
  const scheme = port === 443 ? 'https' : 'http';
  const connectPort = port === 443 ? endpoint.tlsPort : endpoint.httpPort;
  const region = signingRegion(service, options.region);
  const { path, expect: expected } = service.smoke;
  const signed = service.auth === 'iam';
  const curl = renderCurl({
    method: 'GET',
    scheme,
    domain: service.domain,
    port,
    path,
    connectTo: { host: endpoint.host, port: connectPort },
    ...(signed ? { sign: { region, sessionToken: Boolean(options.credentials?.sessionToken) } } : {}),
    caFile: options.caFile,
    sourceAddress: options.sourceAddress,
  });
  const base = { service: service.name, port, expected, expectation, curl };
  if (signed && !options.credentials && expectation === 'allowed') {
    const error = `no AWS credentials to sign the request for ${service.name} (auth: iam)`;
    return { ...base, ok: false, outcome: 'not run', latencyMs: 0, attempts: 0, error };
  }

  const policy: RetryPolicy = {
    ...DEFAULT_RETRY,
    ...options.retry,
    budgetMs: options.budgetMs ?? DEFAULT_BUDGET_MS,
  };
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const attempt = async (remainingMs: number) => {
    // Signed afresh for every attempt: a signature is only valid for a few minutes around its date.
    const headers =
      signed && options.credentials
        ? (
            await signLatticeRequest(
              { method: 'GET', host: service.domain, path },
              { region, credentials: options.credentials },
            )
          ).headers
        : {};
    const outcome = await probe({
      scheme,
      connectHost: endpoint.host,
      connectPort,
      domain: service.domain,
      method: 'GET',
      path,
      headers,
      ca,
      sourceAddress: options.sourceAddress,
      timeoutMs: Math.floor(Math.max(MIN_REQUEST_TIMEOUT_MS, Math.min(requestTimeoutMs, remainingMs))),
    });
    return { outcome, verdict: judge(outcome, expected, expectation) };
  };
  const { value, attempts } = await retryUntil(
    attempt,
    ({ verdict }) => verdict.ok || verdict.final,
    policy,
    options.clock ?? systemClock,
  );
  const { outcome, verdict } = value;
  return {
    ...base,
    ok: verdict.ok,
    ...(verdict.untested ? { untested: true } : {}),
    ...(outcome.kind === 'response' ? { status: outcome.status } : {}),
    outcome: verdict.outcome,
    latencyMs: outcome.latencyMs,
    attempts,
    ...(verdict.error ? { error: verdict.error } : {}),
  };
}
