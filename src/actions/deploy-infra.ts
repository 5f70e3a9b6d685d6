// The deploy-infra action: its inputs become a request to the deploy-infra operation (src/operations), its outcome
// the step's report (deploy-infra-report.ts).
import { join } from 'node:path';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG } from '../contract/image-tags.ts';
import {
  type DeployInfraPorts,
  deployInfra,
  STACK_CHOICES,
  type StackChoice,
} from '../operations/deploy-infra.ts';
import { systemClock } from '../operations/ports.ts';
import { reportDeployInfra } from './deploy-infra-report.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';

export interface DeployInfraSettings {
  configDir: string;
  environment: string;
  stacks: StackChoice;
  mode: 'deploy' | 'diff';
  imageTag?: string;
  timeoutMinutes: number;
  pollIntervalSeconds: number;
}

/** How long a cancelled update's rollback is awaited: inside the job's limit after a deadline of the default. */
const ROLLBACK_WAIT_MS = 15 * 60_000;

export function readDeployInfraSettings(io: ActionIO): DeployInfraSettings {
  const inputs = new InputReader(io);
  const imageTag = inputs.matching('image-tag', IMAGE_TAG, 'an image tag such as cfg-<hash>');
  const settings: DeployInfraSettings = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    stacks: inputs.choice('stacks', STACK_CHOICES, 'all'),
    mode: inputs.choice('mode', ['deploy', 'diff'] as const, 'deploy'),
    timeoutMinutes: inputs.number('timeout-minutes', 30, { min: 0.01, max: 360 }),
    pollIntervalSeconds: inputs.number('poll-interval-seconds', 10, { min: 0.01, max: 300 }),
    ...(imageTag ? { imageTag } : {}),
  };
  inputs.done();
  return settings;
}

/** Builds CloudFormation and the CDK CLI for the config as of `now` (deploy-infra-adapters.ts). */
export type DeployInfraPortsFactory = (environment: Environment, now: Date) => Promise<DeployInfraPorts>;

export async function deployInfraAction(
  settings: DeployInfraSettings,
  io: ActionIO,
  createPorts: DeployInfraPortsFactory,
  tempDir: string,
): Promise<void> {
  // One reading of the clock decides which allowlist entries have lapsed, here and in the CDK app.
  const now = systemClock.now();
  const { environment } = await loadEnvironment(settings.configDir, settings.environment, io, now);
  const ports = await createPorts(environment, now);
  const request = {
    environment,
    stacks: settings.stacks,
    mode: settings.mode,
    ...(settings.imageTag ? { imageTag: settings.imageTag } : {}),
    timeoutMs: settings.timeoutMinutes * 60_000,
    rollbackWaitMs: ROLLBACK_WAIT_MS,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    outputsFile: join(tempDir, `cdk-outputs-${environment.name}.json`),
  };
  const outcome = await deployInfra(request, ports);
  const diffFile = join(tempDir, `cdk-diff-${environment.name}.md`);
  await reportDeployInfra(outcome, environment, settings.mode, diffFile, io);
}
