// The smoke action: every service of the environment, on every port it is published on, through the given
// endpoint. `expect: allowed` runs where the source is on the allowlist (a self-hosted runner, see deployment.yaml
// smokeRunner) and waits for each service's smoke.expect status; `expect: refused` runs from the GitHub-hosted
// runner, which is not on the allowlist, and proves that each connection is refused. Writes a job summary with the
// results and the curl command of each check, a JSON report, and fails the step when a check fails.
import { mkdir, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import {
  planSmokeChecks,
  runSmokeChecks,
  type SmokeEndpoint,
  type SmokeExpectation,
  type SmokeResult,
} from '../smoke/checks.ts';
import { formatSmokeMarkdown, formatSmokeTable } from '../smoke/report.ts';
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
  results: SmokeResult[];
}

export async function smokeAction(
  settings: SmokeSettings,
  io: ActionIO,
  credentials: (io: ActionIO) => Promise<AwsCredentialIdentity | undefined> = credentialsFromChain,
): Promise<SmokeReport> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment);
  const checks = planSmokeChecks(config.services);
  const { endpoint } = settings;
  io.info(
    `${checks.length} check(s) through ${endpoint.host} (TLS ${endpoint.tlsPort}, HTTP ${endpoint.httpPort}), ` +
      `expecting ${settings.expect === 'allowed' ? "each service's smoke status" : 'every connection refused'}, ` +
      `retrying for up to ${settings.timeoutSeconds} s`,
  );
  const results = await runSmokeChecks(checks, endpoint, {
    region: environment.region,
    credentials: await credentials(io),
    expect: settings.expect,
    budgetMs: settings.timeoutSeconds * 1000,
    ...(settings.caFile ? { caFile: settings.caFile } : {}),
    ...(settings.sourceAddress ? { sourceAddress: settings.sourceAddress } : {}),
  });
  io.info(formatSmokeTable(results));

  const failed = results.filter((result) => !result.ok);
  const report: SmokeReport = {
    environment: environment.name,
    endpoint,
    expect: settings.expect,
    passed: results.length - failed.length,
    failed: failed.length,
    results,
  };
  await mkdir(dirname(settings.reportFile), { recursive: true });
  await writeFile(settings.reportFile, `${JSON.stringify(report, null, 2)}\n`);
  io.setOutput('passed', report.passed);
  io.setOutput('failed', report.failed);
  io.setOutput('report-file', settings.reportFile);
  await io.appendSummary(
    formatSmokeMarkdown(
      results,
      `Smoke test: ${environment.name}, expect ${settings.expect}, via ${endpoint.host}`,
    ),
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
  return report;
}
