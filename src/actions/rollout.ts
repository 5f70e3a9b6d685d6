// The rollout action: its inputs become the rollout operation's request (src/operations/roll-out.ts) and where to
// deploy from; the outcome becomes the summary, the outputs and the step's result.
import { IMAGE_TAG } from '../contract/image-tags.ts';
import type { EnvironmentOpener } from '../operations/ports.ts';
import {
  type ImageRolloutRequest,
  type RolloutAdapters,
  type RolloutRequest,
  rollOutImage,
} from '../operations/roll-out.ts';
import type { DeploySource } from './adapters.ts';
import type { RunContext } from './context.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { reportRollout } from './rollout-report.ts';

/** How long to follow and how often to poll: inputs shared by rollout and rollback. */
export type Following = Pick<RolloutRequest, 'timeoutMs' | 'pollIntervalMs' | 'cancelOnTimeout'>;

/** The following inputs, and where the environment comes from (config-dir, github-token). */
export function readFollowInputs(inputs: InputReader): { follow: Following; source: DeploySource } {
  const token = inputs.optional('github-token');
  const follow = {
    timeoutMs: inputs.number('timeout-minutes', 20, { min: 0.01, max: 360 }) * 60_000,
    // Seconds between polls at first (hidden input; tests use a fraction of a second).
    pollIntervalMs: inputs.number('poll-interval-seconds', 10, { min: 0.01, max: 300 }) * 1000,
    cancelOnTimeout: inputs.boolean('cancel-on-timeout', true),
  };
  const configDir = inputs.optional('config-dir') ?? 'config';
  return { follow, source: { configDir, ...(token ? { githubToken: token } : {}) } };
}

export function readRolloutInputs(
  io: ActionIO,
  run: RunContext,
): { request: ImageRolloutRequest; source: DeploySource } {
  const inputs = new InputReader(io);
  const environment = inputs.required('environment');
  const imageTag = inputs.matching('image-tag', IMAGE_TAG, 'an image tag such as git-<sha>', {
    required: true,
  });
  const description = inputs.optional('description') ?? `Roll out ${imageTag}`;
  const { follow, source } = readFollowInputs(inputs);
  inputs.done();
  const request = { environment, imageTag, sha: run.sha, description, logUrl: run.runUrl, ...follow };
  return { request, source };
}

export async function rolloutAction(
  request: ImageRolloutRequest,
  io: ActionIO,
  open: EnvironmentOpener<RolloutAdapters>,
): Promise<void> {
  const outcome = await rollOutImage(request, open, io);
  const header = {
    title: 'Rollout',
    environmentName: request.environment,
    imageTag: request.imageTag,
    context: [{ label: 'Commit', value: request.sha.slice(0, 12) }],
  };
  const result = await reportRollout(header, outcome, io);
  io.setOutput('deployment-id', result.deploymentId ?? '');
  io.setOutput('image-digest', result.imageDigest);
  io.setOutput('previous-image-tag', result.previousImageTag);
  io.setOutput('task-definition-arn', result.taskDefinitionArn);
}
