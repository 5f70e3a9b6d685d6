// The rollout action: inputs into the rollout operation (src/operations/roll-out.ts), its outcome into the summary,
// the outputs and the step's result.
import { type Environment, githubEnvironment } from '../config/model.ts';
import { IMAGE_TAG } from '../contract/image-tags.ts';
import { type RolloutAdapters, rollOut } from '../operations/roll-out.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { reportRollout } from './rollout-report.ts';

/** Inputs shared by rollout and rollback: how long to follow, how often to poll, and the GitHub token. */
export interface FollowInputs {
  timeoutMinutes: number;
  /** Seconds between polls at first (hidden input; tests use a fraction of a second). */
  pollIntervalSeconds: number;
  cancelOnTimeout: boolean;
  githubToken?: string;
}

export interface RolloutInputs extends FollowInputs {
  configDir: string;
  environment: string;
  imageTag: string;
  description?: string;
}

export function readFollowInputs(inputs: InputReader): FollowInputs {
  const token = inputs.optional('github-token');
  return {
    timeoutMinutes: inputs.number('timeout-minutes', 20, { min: 0.01, max: 360 }),
    pollIntervalSeconds: inputs.number('poll-interval-seconds', 10, { min: 0.01, max: 300 }),
    cancelOnTimeout: inputs.boolean('cancel-on-timeout', true),
    ...(token ? { githubToken: token } : {}),
  };
}

export function readRolloutInputs(io: ActionIO): RolloutInputs {
  const inputs = new InputReader(io);
  const description = inputs.optional('description');
  const settings: RolloutInputs = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    imageTag: inputs.matching('image-tag', IMAGE_TAG, 'an image tag such as git-<sha>', { required: true }),
    ...readFollowInputs(inputs),
    ...(description ? { description } : {}),
  };
  inputs.done();
  return settings;
}

/** Builds the AWS and GitHub adapters (adapters.ts in the action, fakes or mocked clients in tests). */
export type AdaptersFactory = (
  environment: Environment,
  run: RunContext,
  githubToken?: string,
) => Promise<RolloutAdapters>;

export async function rolloutAction(
  settings: RolloutInputs,
  io: ActionIO,
  run: RunContext,
  createAdapters: AdaptersFactory,
): Promise<void> {
  const { environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const adapters = await createAdapters(environment, run, settings.githubToken);
  const request = {
    environment,
    githubEnvironment: githubEnvironment(environment),
    imageTag: settings.imageTag,
    sha: run.sha,
    description: settings.description ?? `Roll out ${settings.imageTag}`,
    timeoutMs: settings.timeoutMinutes * 60_000,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    cancelOnTimeout: settings.cancelOnTimeout,
    logUrl: run.runUrl,
  };
  const header = {
    title: 'Rollout',
    environmentName: environment.name,
    imageTag: settings.imageTag,
    context: [{ label: 'Commit', value: run.sha.slice(0, 12) }],
  };
  const result = await reportRollout(header, await rollOut(request, adapters, io), io);
  io.setOutput('deployment-id', result.deploymentId ?? '');
  io.setOutput('image-digest', result.imageDigest);
  io.setOutput('previous-image-tag', result.previousImageTag);
  io.setOutput('task-definition-arn', result.taskDefinitionArn);
}
