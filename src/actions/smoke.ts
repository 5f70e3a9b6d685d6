// The smoke action: its inputs become a request to the smoke operation (src/operations/smoke.ts), its outcome the
// step's report (smoke-report.ts). `expect: allowed` runs where the source is on the allowlist (a self-hosted
// runner, see deployment.yaml smokeRunner); `expect: refused` runs from the GitHub-hosted runner, which is not on
// the allowlist.
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { type SmokePorts, type SmokeReport, smoke } from '../operations/smoke.ts';
import type { SmokeEndpoint, SmokeExpectation } from '../smoke-plan/checks.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { reportSmoke } from './smoke-report.ts';

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

/** Builds the probes and the target health reader (smoke-adapters.ts in the action, stand-ins in tests). */
export type SmokePortsFactory = (settings: SmokeSettings, io: ActionIO) => Promise<SmokePorts>;

export async function smokeAction(
  settings: SmokeSettings,
  io: ActionIO,
  createPorts: SmokePortsFactory,
): Promise<SmokeReport> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const { endpoint, expect } = settings;
  const request = { config, environment, endpoint, expect, budgetMs: settings.timeoutSeconds * 1000 };
  const outcome = await smoke(request, await createPorts(settings, io));
  const title = `Smoke test: ${environment.name}, expect ${expect}, via ${endpoint.host}`;
  return reportSmoke(title, outcome, settings.reportFile, io);
}
