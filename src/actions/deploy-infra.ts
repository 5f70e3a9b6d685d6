// The deploy-infra action: its inputs become a request to the deploy-infra operation (src/operations), its outcome
// the step's outputs (stack outputs, service-rollout), summary and failure.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expiryEnvironment } from '../config/expiry.ts';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG } from '../contract/image-tags.ts';
import {
  actionOutputs,
  type DeployInfraOutcome,
  type DeployInfraPorts,
  type DeployInfraRequest,
  deployInfra,
  STACK_CHOICES,
  type StackChoice,
  type StackOutputs,
} from '../operations/deploy-infra.ts';
import { systemClock } from '../operations/ports.ts';
import { type CommandResult, type CommandRunner, stripAnsi } from '../process/command.ts';
import type { RunContext } from './context.ts';
import { deployInfraSummary, diffMarkdown } from './deploy-infra-summary.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

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

/** Runs the CDK CLI with these arguments and environment in the workspace. */
export type CdkRunner = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  options?: { timeoutMs?: number },
) => Promise<CommandResult>;

export interface DeployInfraAdapters {
  stacks: DeployInfraPorts['stacks'];
  cdk: CdkRunner;
}

/** Loads the environment and runs the operation with CloudFormation and the workspace's CDK CLI. */
export async function deployInfraAction(
  settings: DeployInfraSettings,
  io: ActionIO,
  run: RunContext,
  createAdapters: (environment: Environment) => Promise<DeployInfraAdapters>,
  tempDir: string,
): Promise<void> {
  // One reading of the clock decides which allowlist entries have lapsed, here and in the CDK app.
  const now = systemClock.now();
  const { environment } = await loadEnvironment(settings.configDir, settings.environment, io, now);
  const adapters = await createAdapters(environment);
  const cdkEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LATTICE_INGRESS_CONFIG_DIR: resolve(run.workspace, settings.configDir),
    // The CDK app checks the config as for a deploy, like this action: expired allowlist entries are left out.
    ...expiryEnvironment('leave-out', now),
    CI: 'true',
    FORCE_COLOR: '0',
  };
  const cdk: DeployInfraPorts['cdk'] = async (args, options) => {
    const result = await io.group(`cdk ${args.join(' ')}`, () => adapters.cdk(args, cdkEnv, options));
    return { ...result, stdout: stripAnsi(result.stdout), stderr: stripAnsi(result.stderr) };
  };
  const request: DeployInfraRequest = {
    environment,
    stacks: settings.stacks,
    mode: settings.mode,
    ...(settings.imageTag ? { imageTag: settings.imageTag } : {}),
    timeoutMs: settings.timeoutMinutes * 60_000,
    rollbackWaitMs: ROLLBACK_WAIT_MS,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    outputsFile: join(tempDir, `cdk-outputs-${environment.name}.json`),
  };
  const readOutputs = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as StackOutputs;
  const ports = {
    stacks: adapters.stacks,
    cdk,
    readOutputs,
    clock: systemClock,
    log: (line: string) => io.info(line),
  };
  const outcome = await deployInfra(request, ports);
  await report(outcome, environment, settings.mode, join(tempDir, `cdk-diff-${environment.name}.md`), io);
}

async function report(
  outcome: DeployInfraOutcome,
  environment: Environment,
  mode: 'deploy' | 'diff',
  diffFile: string,
  io: ActionIO,
) {
  if (outcome.state === 'refused') throw new ActionFailure(outcome.reason);
  if (outcome.state === 'diffed') {
    const markdown = diffMarkdown(environment.name, outcome);
    await writeFile(diffFile, markdown);
    io.setOutput('diff-file', diffFile);
  }
  if (mode === 'deploy' && outcome.state !== 'diffed') {
    // service-rollout, and rolled-out (the failure report reads it): whether cdk deploy started an ECS deployment.
    io.setOutput('service-rollout', outcome.serviceRollout);
    io.setOutput('rolled-out', outcome.serviceRollout !== 'none');
  }
  if (outcome.state !== 'failed') {
    io.setOutput('outputs-json', JSON.stringify(outcome.outputs));
    for (const [name, value] of Object.entries(actionOutputs(environment, outcome.outputs)))
      io.setOutput(name, value);
    io.setOutput('has-changes', outcome.changed);
  }
  await io.appendSummary(deployInfraSummary(environment, mode, outcome));
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
}

/** The project's own CDK CLI (a dev dependency: the workflow runs `npm ci` first), run in the workspace. */
export function workspaceCdk(
  workspace: string,
  runCommand: CommandRunner,
  onLine: (line: string) => void,
): CdkRunner {
  const binary = join(workspace, 'node_modules', '.bin', 'cdk');
  return async (args, env, options) => {
    if (!existsSync(binary)) {
      throw new Error(
        `${binary} is missing: run \`npm ci\` before this action (the CDK app and CLI are project dependencies)`,
      );
    }
    return runCommand(binary, args, { cwd: workspace, env, onLine, ...options });
  };
}
