// What `npm start` checks once the local stack is up: the smoke checks every deployment runs (each service on each
// port, signed for IAM services), plus what only a local run can show cheaply: a client outside the allowlist is
// refused on both listeners, and a name that is not configured is never forwarded.
import { readFile } from 'node:fs/promises';
import type { Config, Port } from '../config/model.ts';
import { renderCurl } from '../smoke/curl.ts';
import { runSmokeChecks, type SmokeOptions } from '../smoke/index.ts';
import { probe } from '../smoke/probe.ts';
import type { SmokeResult } from '../smoke-plan/checks.ts';
import { planSmokeChecks } from '../smoke-plan/checks.ts';
import { LOCAL_TEST_CREDENTIALS } from './sigv4.ts';
import { type LocalStack, REFUSED_CLIENT_ADDRESS } from './stack.ts';

/** A name no configuration can hold (RFC 2606), used for the unknown SNI and Host checks. */
export const UNKNOWN_NAME = 'not-configured.invalid';
/** nginx's own error pages end like this; a stand-in answers JSON. */
const NGINX_PAGE = /<center>nginx<\/center>/;

/** The stack is fresh: retry briefly (haproxy's first health check), never for minutes. */
const LOCAL_RETRY = { attempts: 5, initialDelayMs: 200, maxDelayMs: 1_000 };
const LOCAL_BUDGET_MS = 10_000;
const REQUEST_TIMEOUT_MS = 5_000;

export async function runLocalChecks(
  config: Config,
  stack: LocalStack,
  region: string,
): Promise<SmokeResult[]> {
  const services = config.services.services;
  const common: SmokeOptions = {
    region,
    credentials: LOCAL_TEST_CREDENTIALS,
    caFile: stack.ca.certFile,
    retry: LOCAL_RETRY,
    budgetMs: LOCAL_BUDGET_MS,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
  };
  // One refused check per listener is enough to show the allowlist on both; the first service published there.
  const refusalChecks = ([443, 80] as const).flatMap((port) => {
    const service = services.find((candidate) => candidate.ports.includes(port));
    return service ? [{ service, port }] : [];
  });
  const [allowed, refused, unknownSni, unknownHost] = await Promise.all([
    runSmokeChecks(planSmokeChecks(config.services), stack.endpoint, common),
    runSmokeChecks(refusalChecks, stack.endpoint, {
      ...common,
      expect: 'refused',
      sourceAddress: REFUSED_CLIENT_ADDRESS,
    }),
    checkUnknownName(stack, 443),
    checkUnknownName(stack, 80),
  ]);
  return [
    ...allowed,
    ...refused.map((result) => ({ ...result, service: `${result.service} from ${REFUSED_CLIENT_ADDRESS}` })),
    unknownSni,
    unknownHost,
  ];
}

/**
 * A name that is not configured, from an allowed client: TLS must be closed without a handshake, HTTP must get
 * the proxy's own 421. A stand-in's answer of any kind means the proxy forwarded it.
 */
async function checkUnknownName(stack: LocalStack, port: Port): Promise<SmokeResult> {
  const scheme = port === 443 ? 'https' : 'http';
  const connectPort = port === 443 ? stack.endpoint.tlsPort : stack.endpoint.httpPort;
  const ca = await readFile(stack.ca.certFile, 'utf8');
  const outcome = await probe({
    scheme,
    connectHost: stack.endpoint.host,
    connectPort,
    domain: UNKNOWN_NAME,
    method: 'GET',
    path: '/',
    ca,
    timeoutMs: REQUEST_TIMEOUT_MS,
  });
  const expected = port === 443 ? 'closed' : '421';
  const refused =
    outcome.kind === 'failure'
      ? outcome.failure === 'closed' && port === 443
      : outcome.status === 421 && port === 80 && NGINX_PAGE.test(outcome.body);
  const result =
    outcome.kind === 'failure' ? outcome.failure : `${outcome.status}${refused ? ' (proxy)' : ''}`;
  return {
    service: port === 443 ? 'unknown SNI' : 'unknown Host',
    port,
    ok: refused,
    ...(outcome.kind === 'response' ? { status: outcome.status } : {}),
    expected: port === 443 ? 0 : 421,
    expectation: 'refused',
    outcome: result,
    latencyMs: outcome.latencyMs,
    attempts: 1,
    ...(refused
      ? {}
      : { error: `expected ${expected} from the proxy, got ${result}: the name was not refused` }),
    curl: renderCurl({
      method: 'GET',
      scheme,
      domain: UNKNOWN_NAME,
      port,
      path: '/',
      connectTo: { host: stack.endpoint.host, port: connectPort },
      caFile: stack.ca.certFile,
    }),
  };
}
