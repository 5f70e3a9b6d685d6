// The smoke use case: every service of the environment, on every port it is published on, through one endpoint.
// `expect: allowed` waits for each service's smoke.expect status; `expect: refused` proves that each connection is
// refused. A refusal check whose connection nobody answers (a security group dropping the runner, or no task behind
// the load balancer) is not tested; then the stack's target groups must each have a healthy target instead. Never
// throws for an expected failure: failed checks, no services and a failed target health gate are outcomes.
import type { Config, Environment } from '../config/model.ts';
import {
  failedCheck,
  planSmokeChecks,
  type SmokeCheck,
  type SmokeEndpoint,
  type SmokeExpectation,
  type SmokeResult,
} from '../smoke-plan/checks.ts';
import {
  judgeTargetHealth,
  type TargetGateVerdict,
  type TargetGroupHealth,
} from '../smoke-plan/target-gate.ts';
import type { ProgressLog } from './ports.ts';

export interface SmokeRequest {
  config: Config;
  environment: Environment;
  endpoint: SmokeEndpoint;
  expect: SmokeExpectation;
  /** Total time each check may spend retrying. */
  budgetMs: number;
}

export interface SmokePorts {
  /** Runs the checks against the endpoint (src/smoke/checks.ts). */
  runChecks(
    checks: SmokeCheck[],
    options: { region: string; expect: SmokeExpectation; budgetMs: number },
  ): Promise<SmokeResult[]>;
  /** Target health of every target group of the environment's Ingress stack; absent without AWS credentials. */
  readTargetHealth?: (environment: Environment) => Promise<TargetGroupHealth[]>;
  log: ProgressLog;
}

/** What the run found, as written to the JSON report. */
export interface SmokeReport {
  environment: string;
  endpoint: SmokeEndpoint;
  expect: SmokeExpectation;
  passed: number;
  failed: number;
  /** Refusal checks nobody answered; the target health gate then decides. */
  notTested: number;
  results: SmokeResult[];
  /** The target health gate, when a check was not tested. */
  targetHealth?: TargetGateVerdict;
}

export type SmokeOutcome =
  | { state: 'passed'; report: SmokeReport; failures: []; warning?: string }
  | { state: 'failed'; report: SmokeReport; failures: SmokeResult[]; reason: string };

export async function smoke(request: SmokeRequest, ports: SmokePorts): Promise<SmokeOutcome> {
  const { environment, endpoint } = request;
  const checks = planSmokeChecks(request.config.services);
  ports.log.info(
    `${checks.length} check(s) through ${endpoint.host} (TLS ${endpoint.tlsPort}, HTTP ${endpoint.httpPort}), ` +
      `expecting ${request.expect === 'allowed' ? "each service's smoke status" : 'every connection refused'}, ` +
      `retrying for up to ${request.budgetMs / 1000} s`,
  );
  const results = await ports.runChecks(checks, {
    region: environment.region,
    expect: request.expect,
    budgetMs: request.budgetMs,
  });
  const failures = results.filter(failedCheck);
  const untested = results.filter((result) => result.untested);
  const targetHealth = untested.length > 0 ? await targetGate(environment, ports) : undefined;
  const report: SmokeReport = {
    environment: environment.name,
    endpoint,
    expect: request.expect,
    passed: results.length - failures.length - untested.length,
    failed: failures.length,
    notTested: untested.length,
    results,
    ...(targetHealth ? { targetHealth } : {}),
  };
  const failed = (reason: string): SmokeOutcome => ({ state: 'failed', report, failures, reason });
  if (failures.length > 0) {
    return failed(
      `${failures.length} of ${results.length} smoke check(s) failed: ` +
        failures.map((result) => `${result.service}:${result.port}`).join(', '),
    );
  }
  if (results.length === 0) return failed('services.yaml has no services: nothing was checked');
  if (targetHealth && !targetHealth.ok) {
    return failed(
      `${untested.length} refusal check(s) got no answer at all, so the refusal was not tested, and the target health gate failed: ${targetHealth.problem}`,
    );
  }
  const warning = targetHealth
    ? `${untested.length} refusal check(s) got no answer at all (a security group dropping this runner, or no task behind the load balancer), so the refusal was not tested; every target group has a healthy target`
    : undefined;
  return { state: 'passed', report, failures: [], ...(warning ? { warning } : {}) };
}

/** Target health of the stack's target groups; a gate that cannot be read fails. */
async function targetGate(environment: Environment, ports: SmokePorts): Promise<TargetGateVerdict> {
  if (!ports.readTargetHealth) {
    return { ok: false, lines: [], problem: 'there are no AWS credentials to read the target health with' };
  }
  try {
    const verdict = judgeTargetHealth(await ports.readTargetHealth(environment));
    for (const line of verdict.lines) ports.log.info(`target health: ${line}`);
    return verdict;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      ok: false,
      lines: [],
      problem: `reading the target health failed (${message}); the role needs cloudformation:ListStackResources on the Ingress stack and elasticloadbalancing:DescribeTargetHealth`,
    };
  }
}
