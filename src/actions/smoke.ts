// The smoke action: its inputs become a request to the smoke operation (src/operations/smoke.ts), its outcome the
// step's outputs, JSON report, job summary (the results and the curl command of each check) and failure.
// `expect: allowed` runs where the source is on the allowlist (a self-hosted runner, see deployment.yaml
// smokeRunner); `expect: refused` runs from the GitHub-hosted runner, which is not on the allowlist.
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createAwsClients } from '../aws/clients.ts';
import { Stacks } from '../aws/cloudformation.ts';
import { TargetHealth } from '../aws/target-health.ts';
import type { Environment } from '../config/model.ts';
import { stackNames } from '../contract/names.ts';
import { type SmokeReport, smoke } from '../operations/smoke.ts';
import { runSmokeChecks } from '../smoke/checks.ts';
import { formatSmokeMarkdown, formatSmokeTable } from '../smoke/report.ts';
import type { SmokeEndpoint, SmokeExpectation } from '../smoke-plan/checks.ts';
import type { TargetGateVerdict, TargetGroupHealth } from '../smoke-plan/target-gate.ts';
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

/** Runs the smoke operation with curl-like probes and the stack's target health; the outcome becomes the step's. */
export async function smokeAction(
  settings: SmokeSettings,
  io: ActionIO,
  credentials: (io: ActionIO) => Promise<AwsCredentialIdentity | undefined> = credentialsFromChain,
  readTargetHealth: TargetHealthReader = stackTargetHealth,
): Promise<SmokeReport> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const identity = await credentials(io);
  const outcome = await smoke(
    {
      config,
      environment,
      endpoint: settings.endpoint,
      expect: settings.expect,
      budgetMs: settings.timeoutSeconds * 1000,
    },
    {
      runChecks: async (checks, options) => {
        const results = await runSmokeChecks(checks, settings.endpoint, {
          ...options,
          credentials: identity,
          ...(settings.caFile ? { caFile: settings.caFile } : {}),
          ...(settings.sourceAddress ? { sourceAddress: settings.sourceAddress } : {}),
        });
        io.info(formatSmokeTable(results));
        return results;
      },
      ...(identity ? { readTargetHealth: (env: Environment) => readTargetHealth(env, identity) } : {}),
      log: io,
    },
  );
  const { report } = outcome;
  await mkdir(dirname(settings.reportFile), { recursive: true });
  await writeFile(settings.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  io.setOutput('passed', report.passed);
  io.setOutput('failed', report.failed);
  io.setOutput('not-tested', report.notTested);
  io.setOutput('report-file', settings.reportFile);
  await io.appendSummary(
    formatSmokeMarkdown(
      report.results,
      `Smoke test: ${environment.name}, expect ${settings.expect}, via ${settings.endpoint.host}`,
    ) + (report.targetHealth ? targetHealthMarkdown(report.targetHealth) : ''),
  );
  for (const result of outcome.failures) {
    io.error(`${result.service}:${result.port} ${result.error ?? 'failed'}\nReproduce: ${result.curl}`, {
      title: `Smoke check failed: ${result.service}:${result.port}`,
    });
  }
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
  if (outcome.warning) io.warning(outcome.warning, { title: 'Refusal not tested' });
  return report;
}

function targetHealthMarkdown(verdict: TargetGateVerdict): string {
  const lines = verdict.lines.map((line) => `- ${line}`).join('\n');
  return `\n\n#### Target health (the refusal was not tested)\n\n${verdict.ok ? '✅' : `❌ ${verdict.problem}`}\n\n${lines}\n`;
}
