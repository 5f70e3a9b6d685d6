// The smoke action: every service of the environment, on every port it is published on, through the given
// endpoint. `expect: allowed` runs where the source is on the allowlist (a self-hosted runner, see deployment.yaml
// smokeRunner) and waits for each service's smoke.expect status; `expect: refused` runs from the GitHub-hosted
// runner, which is not on the allowlist, and proves that each connection is refused. A refusal check whose
// connection nobody answers (a security group dropping the runner, or no task behind the load balancer) is not
// tested; then the stack's target groups must each have a healthy target instead. Writes a job summary with the
// results and the curl command of each check, a JSON report, and fails the step when a check fails.
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createAwsClients } from '../aws/clients.ts';
import { Stacks } from '../aws/cloudformation.ts';
import { type TargetGroupHealth, TargetHealth } from '../aws/target-health.ts';
import type { Environment } from '../config/model.ts';
import { stackNames } from '../contract/names.ts';
import {
  planSmokeChecks,
  runSmokeChecks,
  type SmokeEndpoint,
  type SmokeExpectation,
  type SmokeResult,
} from '../smoke/checks.ts';
import { formatSmokeMarkdown, formatSmokeTable } from '../smoke/report.ts';
import { judgeTargetHealth, type TargetGateVerdict } from '../smoke/target-gate.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export interface SmokeSettings {
  environment: string;
  configDir: string;
  endpoint: SmokeEndpoint;
  expect: SmokeExpectation;
  timeoutSeconds: number;
  reportFile: string;
  caFile?: string;
  sourceAddress?: string;
}

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$|^[0-9a-fA-F:.]+$/;
const PORT_RANGE = { min: 1, max: 65_535 };

/** Inputs, read once; `runnerTemp` is where the report goes unless report-file names a path. */
export function readSmokeSettings(io: ActionIO, workspace: string, runnerTemp: string): SmokeSettings {
  const inputs = new InputReader(io);
  const environment = inputs.required('environment');
  const host = inputs.matching('endpoint', HOST, 'a DNS name or IP address (the NLB DNS name)', {
    required: true,
  });
  const expect = inputs.choice('expect', ['allowed', 'refused'] as const, 'allowed');
  const settings: SmokeSettings = {
    environment,
    configDir: resolve(workspace, inputs.optional('config-dir') ?? 'config'),
    endpoint: {
      host,
      tlsPort: inputs.number('tls-port', 443, PORT_RANGE),
      httpPort: inputs.number('http-port', 80, PORT_RANGE),
    },
    expect,
    timeoutSeconds: inputs.number('timeout-seconds', 300, { min: 1, max: 3_600 }),
    reportFile: resolve(
      workspace,
      inputs.optional('report-file') ?? join(runnerTemp, `smoke-${environment}-${expect}.json`),
    ),
  };
  const caFile = inputs.optional('ca-file');
  if (caFile) settings.caFile = resolve(workspace, caFile);
  const sourceAddress = inputs.optional('source-address');
  if (sourceAddress && !isIP(sourceAddress)) {
    inputs.problem(`input "source-address" must be an IP address of this runner (got "${sourceAddress}")`);
  }
  if (sourceAddress) settings.sourceAddress = sourceAddress;
  inputs.done();
  return settings;
}

/** Credentials from the standard chain (the workflow's OIDC session in the environment, or a runner's role). */
async function credentialsFromChain(io: ActionIO): Promise<AwsCredentialIdentity | undefined> {
  try {
    return await fromNodeProviderChain()();
  } catch (error) {
    io.info(`No AWS credentials found (${error instanceof Error ? error.message : String(error)}).`);
    return undefined;
  }
}

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

/** Target health of every target group of the environment's Ingress stack. */
export type TargetHealthReader = (
  environment: Environment,
  credentials: AwsCredentialIdentity,
) => Promise<TargetGroupHealth[]>;

const stackTargetHealth: TargetHealthReader = async (environment, credentials) => {
  const clients = createAwsClients({ region: environment.region, credentials });
  const stacks = new Stacks(clients.cloudformation);
  const arns = await stacks.resourcesOfType(
    stackNames(environment).ingress,
    'AWS::ElasticLoadBalancingV2::TargetGroup',
  );
  const health = new TargetHealth(clients.elbv2);
  return Promise.all(arns.map((arn) => health.describe(arn)));
};

export async function smokeAction(
  settings: SmokeSettings,
  io: ActionIO,
  credentials: (io: ActionIO) => Promise<AwsCredentialIdentity | undefined> = credentialsFromChain,
  readTargetHealth: TargetHealthReader = stackTargetHealth,
): Promise<SmokeReport> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const checks = planSmokeChecks(config.services);
  const { endpoint } = settings;
  io.info(
    `${checks.length} check(s) through ${endpoint.host} (TLS ${endpoint.tlsPort}, HTTP ${endpoint.httpPort}), ` +
      `expecting ${settings.expect === 'allowed' ? "each service's smoke status" : 'every connection refused'}, ` +
      `retrying for up to ${settings.timeoutSeconds} s`,
  );
  const identity = await credentials(io);
  const results = await runSmokeChecks(checks, endpoint, {
    region: environment.region,
    credentials: identity,
    expect: settings.expect,
    budgetMs: settings.timeoutSeconds * 1000,
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
    ...(settings.sourceAddress ? { sourceAddress: settings.sourceAddress } : {}),
  });
  io.info(formatSmokeTable(results));

  const failed = results.filter((result) => !result.ok && !result.untested);
  const untested = results.filter((result) => result.untested);
  const targetHealth =
    untested.length > 0 ? await targetGate(environment, identity, readTargetHealth, io) : undefined;
  const report: SmokeReport = {
    environment: environment.name,
    endpoint,
    expect: settings.expect,
    passed: results.length - failed.length - untested.length,
    failed: failed.length,
    notTested: untested.length,
    results,
    ...(targetHealth ? { targetHealth } : {}),
  };
  await mkdir(dirname(settings.reportFile), { recursive: true });
  await writeFile(settings.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  io.setOutput('passed', report.passed);
  io.setOutput('failed', report.failed);
  io.setOutput('not-tested', report.notTested);
  io.setOutput('report-file', settings.reportFile);
  await io.appendSummary(
    formatSmokeMarkdown(
      results,
      `Smoke test: ${environment.name}, expect ${settings.expect}, via ${endpoint.host}`,
    ) + (targetHealth ? targetHealthMarkdown(targetHealth) : ''),
  );
  for (const result of failed) {
    io.error(`${result.service}:${result.port} ${result.error ?? 'failed'}\nReproduce: ${result.curl}`, {
      title: `Smoke check failed: ${result.service}:${result.port}`,
    });
  }
  if (failed.length > 0) {
    throw new ActionFailure(
      `${failed.length} of ${results.length} smoke check(s) failed: ` +
        failed.map((result) => `${result.service}:${result.port}`).join(', '),
    );
  }
  if (results.length === 0) throw new ActionFailure('services.yaml has no services: nothing was checked');
  if (targetHealth && !targetHealth.ok) {
    throw new ActionFailure(
      `${untested.length} refusal check(s) got no answer at all, so the refusal was not tested, and the target health gate failed: ${targetHealth.problem}`,
    );
  }
  if (targetHealth) {
    io.warning(
      `${untested.length} refusal check(s) got no answer at all (a security group dropping this runner, or no task behind the load balancer), so the refusal was not tested; every target group has a healthy target`,
      { title: 'Refusal not tested' },
    );
  }
  return report;
}

/** Target health of the stack's target groups; a gate that cannot be read fails. */
async function targetGate(
  environment: Environment,
  credentials: AwsCredentialIdentity | undefined,
  readTargetHealth: TargetHealthReader,
  io: ActionIO,
): Promise<TargetGateVerdict> {
  if (!credentials) {
    return { ok: false, lines: [], problem: 'there are no AWS credentials to read the target health with' };
  }
  try {
    const verdict = judgeTargetHealth(await readTargetHealth(environment, credentials));
    for (const line of verdict.lines) io.info(`target health: ${line}`);
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

function targetHealthMarkdown(verdict: TargetGateVerdict): string {
  const lines = verdict.lines.map((line) => `- ${line}`).join('\n');
  return `\n\n#### Target health (the refusal was not tested)\n\n${verdict.ok ? '✅' : `❌ ${verdict.problem}`}\n\n${lines}\n`;
}
