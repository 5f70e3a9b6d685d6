// The rollout action: roll the environment's Ingress stack to an image tag and follow it to the end.
import { type Environment, githubEnvironment } from '../config/model.ts';
import { IMAGE_TAG } from '../contract/image-tags.ts';
import type { RolloutAdapters } from '../operations/roll-out.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { type RecordedRolloutRequest, recordedRollout } from './recorded-rollout.ts';

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
  const request: RecordedRolloutRequest = {
    environment,
    githubEnvironment: githubEnvironment(environment),
    imageTag: settings.imageTag,
    sha: run.sha,
    description: settings.description ?? `Roll out ${settings.imageTag}`,
    timeoutMs: settings.timeoutMinutes * 60_000,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    cancelOnTimeout: settings.cancelOnTimeout,
    logUrl: run.runUrl,
    title: 'Rollout',
    context: [{ label: 'Commit', value: run.sha.slice(0, 12) }],
  };
  const result = await recordedRollout(request, adapters, io);
  io.setOutput('deployment-id', result.deploymentId ?? '');
  io.setOutput('image-digest', result.imageDigest);
  io.setOutput('previous-image-tag', result.previousImageTag);
  io.setOutput('task-definition-arn', result.taskDefinitionArn);
}
