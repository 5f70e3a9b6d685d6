// The deploy-infra action: `cdk deploy` (or `cdk diff` for previews) of an environment's stacks, with the stack
// outputs as action outputs. The Ingress stack's ImageTag comes from the image-tag input: required to create the
// stack, so the service never starts without an image; on an existing stack it rolls the service out in the same
// CloudFormation update as any template change (one update per deploy, the rollout action then only follows).
// Without it an existing stack keeps its ImageTag.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { Stacks } from '../aws/cloudformation.ts';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG, IMAGE_TAG_PARAMETER } from '../contract/image-tags.ts';
import { stackNames } from '../contract/names.ts';
import { INGRESS_OUTPUTS, REGISTRY_OUTPUTS } from '../contract/outputs.ts';
import { type CommandResult, type CommandRunner, stripAnsi } from '../process/command.ts';
import { code, fenced, table } from '../render/markdown.ts';
import { stackOutputs, stackParameter } from '../rollout/aws-answers.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { failedStackEvents } from './failure-report.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export const STACK_CHOICES = ['registry', 'ingress', 'all'] as const;
export type StackChoice = (typeof STACK_CHOICES)[number];

export interface DeployInfraSettings {
  configDir: string;
  environment: string;
  stacks: StackChoice;
  mode: 'deploy' | 'diff';
  imageTag?: string;
}

export function readDeployInfraSettings(io: ActionIO): DeployInfraSettings {
  const inputs = new InputReader(io);
  const imageTag = inputs.matching('image-tag', IMAGE_TAG, 'an image tag such as git-<sha>');
  const settings: DeployInfraSettings = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    stacks: inputs.choice('stacks', STACK_CHOICES, 'all'),
    mode: inputs.choice('mode', ['deploy', 'diff'] as const, 'deploy'),
    ...(imageTag ? { imageTag } : {}),
  };
  inputs.done();
  return settings;
}

/** Runs the CDK CLI with these arguments in the workspace. */
export type CdkRunner = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<CommandResult>;

export interface DeployInfraAdapters {
  stacks: Stacks;
  cdk: CdkRunner;
}

/** The stacks deployed for a choice, in dependency order (CDK also orders them). */
export function selectedStacks(env: Environment, choice: StackChoice): string[] {
  const names = stackNames(env);
  if (choice === 'registry') return [names.registry];
  const ingress = env.exampleProvider ? [names.example, names.ingress] : [names.ingress];
  return choice === 'ingress' ? ingress : [names.registry, ...ingress];
}

/** The action outputs named in action.yml, from every selected stack's CloudFormation outputs. */
export function actionOutputs(env: Environment, outputs: Record<string, Record<string, string>>) {
  const names = stackNames(env);
  const ingress = outputs[names.ingress] ?? {};
  const registry = outputs[names.registry] ?? {};
  return {
    'public-endpoint': ingress[INGRESS_OUTPUTS.publicEndpoint] ?? '',
    'private-endpoint': ingress[INGRESS_OUTPUTS.privateEndpoint] ?? '',
    cluster: ingress[INGRESS_OUTPUTS.cluster] ?? '',
    service: ingress[INGRESS_OUTPUTS.service] ?? '',
    'repository-uri':
      registry[REGISTRY_OUTPUTS.repositoryUri] ?? ingress[INGRESS_OUTPUTS.repositoryUri] ?? '',
  };
}

/** "Number of stacks with differences: 2" at the end of `cdk diff`; per-stack markers as a fallback. */
export function diffHasChanges(output: string): boolean {
  const count = /Number of stacks with differences:\s*(\d+)/.exec(output);
  if (count) return Number(count[1]) > 0;
  return /^\s*\[[~+-]\]/m.test(output);
}

/**
 * What this deploy did to the proxy service, from the Ingress stack's events: `none` (the ECS service resource was
 * not updated), `completed` (it was created or updated, so the fleet was rolled out), or `rolled-back` (the update
 * started an ECS deployment and the deployment circuit breaker rolled it back; cdk deploy then fails).
 */
export type ServiceRollout = 'none' | 'completed' | 'rolled-back';

const CIRCUIT_BREAKER = /circuit breaker/i;

export function serviceRollout(events: readonly StackEvent[]): ServiceRollout {
  const service = events.filter((e) => e.ResourceType === 'AWS::ECS::Service');
  if (
    service.some(
      (e) => e.ResourceStatus?.endsWith('_FAILED') && CIRCUIT_BREAKER.test(e.ResourceStatusReason ?? ''),
    )
  ) {
    return 'rolled-back';
  }
  return service.some((e) => e.ResourceStatus === 'CREATE_COMPLETE' || e.ResourceStatus === 'UPDATE_COMPLETE')
    ? 'completed'
    : 'none';
}

const MAX_DIFF_MARKDOWN = 60_000;

export interface DeployInfraInput {
  environment: Environment;
  settings: DeployInfraSettings;
  run: RunContext;
  /** Scratch directory for the outputs file and the diff file. */
  tempDir: string;
}

export async function deployInfra(
  input: DeployInfraInput,
  adapters: DeployInfraAdapters,
  io: ActionIO,
): Promise<void> {
  const { environment, settings, run } = input;
  const stacks = selectedStacks(environment, settings.stacks);
  const ingressName = stackNames(environment).ingress;
  const before = new Map<string, Stack | undefined>();
  for (const name of stacks) before.set(name, await adapters.stacks.describe(name));

  // ImageTag is passed when given; without it an existing Ingress stack keeps its value (--previous-parameters).
  const parameters: string[] = [];
  const ingress = before.get(ingressName);
  if (stacks.includes(ingressName)) {
    if (!ingress && !settings.imageTag && settings.mode === 'deploy') {
      throw new ActionFailure(
        `${ingressName} does not exist yet: give image-tag (build-push's image-tag output) so the new service starts with an image`,
      );
    }
    if (ingress?.StackStatus === 'ROLLBACK_COMPLETE') {
      throw new ActionFailure(
        `${ingressName} is ROLLBACK_COMPLETE (its creation failed) and cannot be updated; delete it, then deploy again`,
      );
    }
    if (settings.imageTag) {
      parameters.push('--parameters', `${ingressName}:${IMAGE_TAG_PARAMETER}=${settings.imageTag}`);
    }
    if (ingress) {
      const current = stackParameter(ingress, IMAGE_TAG_PARAMETER) ?? '?';
      io.info(
        settings.imageTag && settings.imageTag !== current
          ? `${ingressName} exists: ${IMAGE_TAG_PARAMETER} ${current} -> ${settings.imageTag} in this update (it rolls the service out)`
          : `${ingressName} exists: keeping ${IMAGE_TAG_PARAMETER}=${current}`,
      );
    }
  }

  const cdkEnv: NodeJS.ProcessEnv = {
    ...process.env,
    LATTICE_INGRESS_CONFIG_DIR: resolve(run.workspace, settings.configDir),
    // The CDK app checks the config as for a deploy, like this action: expired allowlist entries are left out.
    LATTICE_INGRESS_CONFIG_PURPOSE: 'deploy',
    CI: 'true',
    FORCE_COLOR: '0',
  };
  return settings.mode === 'diff'
    ? diff(input, adapters, io, stacks, parameters, cdkEnv)
    : deploy(input, adapters, io, stacks, parameters, cdkEnv, before);
}

async function deploy(
  input: DeployInfraInput,
  adapters: DeployInfraAdapters,
  io: ActionIO,
  stacks: string[],
  parameters: string[],
  env: NodeJS.ProcessEnv,
  before: Map<string, Stack | undefined>,
): Promise<void> {
  const outputsFile = join(input.tempDir, `cdk-outputs-${input.environment.name}.json`);
  const args = [
    'deploy',
    ...stacks,
    '--require-approval',
    'never',
    '--ci',
    '--no-color',
    '--progress',
    'events',
  ];
  args.push('--previous-parameters', 'true', '--outputs-file', outputsFile, ...parameters);
  // Allowance for the runner's clock being ahead of CloudFormation's when picking this deploy's events.
  const started = new Date(Date.now() - 60_000);
  const result = await io.group(`cdk ${args.join(' ')}`, () => adapters.cdk(args, env));
  const ingressName = stackNames(input.environment).ingress;
  const eventsOf = (name: string) => adapters.stacks.eventsSince(name, started).catch(() => []);
  if (result.exitCode !== 0) {
    const failures: string[][] = [];
    let rollout: ServiceRollout = 'none';
    for (const name of stacks) {
      const events = await eventsOf(name);
      if (name === ingressName) rollout = serviceRollout(events);
      for (const e of failedStackEvents(events)) {
        failures.push([
          name,
          e.LogicalResourceId ?? '',
          e.ResourceStatus ?? '',
          e.ResourceStatusReason ?? '',
        ]);
      }
    }
    setRolloutOutputs(io, rollout);
    const breaker =
      rollout === 'rolled-back'
        ? 'The ECS deployment circuit breaker tripped during this deploy: the proxy service was rolled out to the new task definition, its tasks failed, and ECS rolled the service back to the previous one. The stopped tasks in the ECS console say why.\n\n'
        : '';
    const tail = stripAnsi(`${result.stdout}\n${result.stderr}`).trim().split('\n').slice(-20).join('\n');
    await io.appendSummary(
      `## Infrastructure deploy of ${code(input.environment.name)} failed\n\n${breaker}${
        failures.length > 0 ? `${table(['Stack', 'Resource', 'Status', 'Reason'], failures)}\n\n` : ''
      }${fenced(tail)}\n`,
    );
    throw new ActionFailure(
      `cdk deploy failed (exit ${result.exitCode})${rollout === 'rolled-back' ? ' after the ECS deployment circuit breaker rolled the proxy service back' : ''}${failures[0] ? `: ${failures[0][1]} ${failures[0][2]}: ${failures[0][3]}` : ''}`,
    );
  }
  const outputs = JSON.parse(await readFile(outputsFile, 'utf8')) as Record<string, Record<string, string>>;
  const rows: string[][] = [];
  let changed = false;
  for (const name of stacks) {
    const after = await adapters.stacks.describe(name);
    const was = before.get(name);
    const stackChanged =
      !was || (after?.LastUpdatedTime?.getTime() ?? 0) !== (was.LastUpdatedTime?.getTime() ?? 0);
    changed ||= stackChanged;
    rows.push([
      name,
      after?.StackStatus ?? 'unknown',
      !was ? 'created' : stackChanged ? 'updated' : 'no changes',
    ]);
  }
  setOutputs(io, input.environment, outputs, changed);
  const ingressChanged = rows.some(([name, , change]) => name === ingressName && change !== 'no changes');
  setRolloutOutputs(io, ingressChanged ? serviceRollout(await eventsOf(ingressName)) : 'none');
  const values = Object.entries(actionOutputs(input.environment, outputs)).filter(([, v]) => v);
  await io.appendSummary(
    `## Infrastructure of ${code(input.environment.name)}: ✅ deployed\n\n${table(['Stack', 'Status', 'Change'], rows)}\n\n${
      values.length > 0
        ? `${table(
            ['Output', 'Value'],
            values.map(([k, v]) => [k, code(v)]),
          )}\n`
        : ''
    }`,
  );
}

async function diff(
  input: DeployInfraInput,
  adapters: DeployInfraAdapters,
  io: ActionIO,
  stacks: string[],
  parameters: string[],
  env: NodeJS.ProcessEnv,
): Promise<void> {
  // Without a change set the preview role only needs to read templates, with its own credentials (it may not
  // assume the CDK lookup role, which reads the whole account).
  const args = ['diff', ...stacks, '--no-change-set', '--no-color', ...parameters];
  const result = await io.group(`cdk ${args.join(' ')}`, () => adapters.cdk(args, env));
  const text = stripAnsi(`${result.stdout}\n${result.stderr}`).trim();
  if (result.exitCode !== 0) {
    await io.appendSummary(
      `## \`cdk diff\` ${input.environment.name} failed\n\n${fenced(text.split('\n').slice(-30).join('\n'))}\n`,
    );
    throw new ActionFailure(
      `cdk diff failed (exit ${result.exitCode}); the last lines are in the job summary`,
    );
  }
  const changed = diffHasChanges(text);
  const shown =
    text.length > MAX_DIFF_MARKDOWN
      ? `${text.slice(0, MAX_DIFF_MARKDOWN)}\n… (truncated; the full diff is in the log)`
      : text;
  const markdown = `### \`cdk diff\` ${input.environment.name}\n\n${
    changed ? `Changes to ${stacks.map(code).join(', ')}:` : 'No infrastructure changes.'
  }\n\n<details${changed ? ' open' : ''}><summary>cdk diff output</summary>\n\n${fenced(shown, 'diff')}\n\n</details>\n`;
  const diffFile = join(input.tempDir, `cdk-diff-${input.environment.name}.md`);
  await writeFile(diffFile, markdown);
  io.setOutput('diff-file', diffFile);
  const outputs: Record<string, Record<string, string>> = {};
  for (const name of stacks) {
    const stack = await adapters.stacks.describe(name);
    if (stack) outputs[name] = stackOutputs(stack);
  }
  setOutputs(io, input.environment, outputs, changed);
  await io.appendSummary(markdown);
}

/** service-rollout, and rolled-out (the failure report reads it): whether cdk deploy started an ECS deployment. */
function setRolloutOutputs(io: ActionIO, rollout: ServiceRollout): void {
  io.setOutput('service-rollout', rollout);
  io.setOutput('rolled-out', rollout !== 'none');
}

function setOutputs(
  io: ActionIO,
  env: Environment,
  outputs: Record<string, Record<string, string>>,
  changed: boolean,
): void {
  io.setOutput('outputs-json', JSON.stringify(outputs));
  for (const [name, value] of Object.entries(actionOutputs(env, outputs))) io.setOutput(name, value);
  io.setOutput('has-changes', changed);
}

/** Loads the environment and runs deployInfra with CloudFormation and the workspace's CDK CLI. */
export async function deployInfraAction(
  settings: DeployInfraSettings,
  io: ActionIO,
  run: RunContext,
  createAdapters: (environment: Environment) => Promise<DeployInfraAdapters>,
  tempDir: string,
): Promise<void> {
  const { environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  await deployInfra({ environment, settings, run, tempDir }, await createAdapters(environment), io);
}

/** The project's own CDK CLI (a dev dependency: the workflow runs `npm ci` first), run in the workspace. */
export function workspaceCdk(
  workspace: string,
  runCommand: CommandRunner,
  onLine: (line: string) => void,
): CdkRunner {
  const binary = join(workspace, 'node_modules', '.bin', 'cdk');
  return async (args, env) => {
    if (!existsSync(binary)) {
      throw new ActionFailure(
        `${binary} is missing: run \`npm ci\` before this action (the CDK app and CLI are project dependencies)`,
      );
    }
    return runCommand(binary, args, { cwd: workspace, env, onLine });
  };
}
