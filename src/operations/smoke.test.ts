// The smoke use case with its ports standing in for the endpoint and CloudFormation: every expected failure is an
// outcome, and an unanswered refusal check is decided by the target health gate.
import { describe, expect, it } from 'vitest';
import { SAMPLE_CONFIG_DIR } from '../../test/support/sample-config.ts';
import type { Config } from '../config/model.ts';
import { requireValidConfig } from '../config/valid-config.ts';
import type { SmokeCheck, SmokeResult } from '../smoke-plan/checks.ts';
import type { TargetGroupHealth } from '../smoke-plan/target-gate.ts';
import { type SmokePorts, type SmokeRequest, smoke } from './smoke.ts';

const { config } = await requireValidConfig(SAMPLE_CONFIG_DIR, { expired: 'leave-out' });
const [environment] = config.deployment.environments;
if (!environment) throw new Error('the sample has no environment');
const TG =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/Ingres-ProxyTls-ABC/0123456789abcdef';

function request(overrides: Partial<SmokeRequest> = {}): SmokeRequest {
  return {
    config,
    environment: environment as SmokeRequest['environment'],
    endpoint: { host: 'nlb.example.com', tlsPort: 443, httpPort: 80 },
    expect: 'refused',
    budgetMs: 2_000,
    ...overrides,
  };
}

/** Ports whose checks all end as `answer` says; `health` stands in for DescribeTargetHealth. */
function ports(
  answer: (check: SmokeCheck) => Partial<SmokeResult>,
  health?: TargetGroupHealth[] | Error,
): SmokePorts & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    runChecks: async (checks, options) =>
      checks.map((check) => ({
        service: check.service.name,
        port: check.port,
        ok: true,
        expected: check.service.smoke.expect,
        expectation: options.expect,
        outcome: 'refused',
        latencyMs: 1,
        attempts: 1,
        curl: 'curl ...',
        ...answer(check),
      })),
    ...(health
      ? {
          readTargetHealth: async () => {
            if (health instanceof Error) throw health;
            return health;
          },
        }
      : {}),
    log: { info: (line) => lines.push(line), warning: (line) => lines.push(line) },
  };
}

const checkCount = config.services.services.reduce((sum, service) => sum + service.ports.length, 0);
const unanswered = () => ({ ok: false, untested: true, outcome: 'unanswered' });

describe('the smoke operation', () => {
  it('passes when every check gets what it expects, one check per service and port', async () => {
    const outcome = await smoke(
      request(),
      ports(() => ({})),
    );
    expect(outcome).toMatchObject({ state: 'passed', failures: [] });
    expect(outcome.report).toMatchObject({ passed: checkCount, failed: 0, notTested: 0 });
    expect(outcome.report.targetHealth).toBeUndefined();
  });

  it('fails, naming each failed check, without throwing', async () => {
    const [first] = config.services.services;
    const outcome = await smoke(
      request(),
      ports((check) => (check.service === first ? { ok: false, outcome: '200' } : {})),
    );
    if (outcome.state !== 'failed') throw new Error('expected a failure');
    expect(outcome.failures.map((f) => f.service)).toEqual(first?.ports.map(() => first.name));
    expect(outcome.reason).toMatch(
      new RegExp(`^${first?.ports.length} of ${checkCount} smoke check\\(s\\) failed`),
    );
  });

  it('fails when there is nothing to check', async () => {
    const empty: Config = { ...config, services: { ...config.services, services: [] } };
    const outcome = await smoke(
      request({ config: empty }),
      ports(() => ({})),
    );
    expect(outcome).toMatchObject({
      state: 'failed',
      reason: 'services.yaml has no services: nothing was checked',
    });
  });

  it('passes unanswered refusal checks with a warning when every target group has a healthy target', async () => {
    const p = ports(unanswered, [{ targetGroupArn: TG, states: ['healthy', 'unhealthy'] }]);
    const outcome = await smoke(request(), p);
    if (outcome.state !== 'passed') throw new Error('expected a pass');
    expect(outcome.report).toMatchObject({ passed: 0, notTested: checkCount, targetHealth: { ok: true } });
    expect(outcome.warning).toMatch(
      /so the refusal was not tested; every target group has a healthy target$/,
    );
    expect(p.lines).toContain('target health: Ingres-ProxyTls-ABC: 1 of 2 healthy (healthy, unhealthy)');
  });

  it('fails unanswered refusal checks when the gate fails, cannot be read, or has no credentials', async () => {
    const down = await smoke(request(), ports(unanswered, [{ targetGroupArn: TG, states: ['unhealthy'] }]));
    expect(down).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/no healthy target in Ingres-ProxyTls-ABC$/),
    });
    const unreadable = await smoke(request(), ports(unanswered, new Error('AccessDenied')));
    expect(unreadable).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('elasticloadbalancing:DescribeTargetHealth'),
    });
    const anonymous = await smoke(request(), ports(unanswered));
    expect(anonymous).toMatchObject({
      state: 'failed',
      reason: expect.stringMatching(/there are no AWS credentials to read the target health with$/),
    });
  });
});
