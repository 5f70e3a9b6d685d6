// The rollback action: resolve `previous`, a commit sha or an image tag to an image that exists in ECR and was
// deployed before, then roll out to it with the same following and reporting as a rollout.

import { githubEnvironment } from '../config/model.ts';
import { IMAGE_TAG_PARAMETER } from '../contract/image-tags.ts';
import { stackNames } from '../contract/names.ts';
import { code } from '../render/markdown.ts';
import { stackParameter } from '../rollout/aws-answers.ts';
import {
  type DeploymentRecord,
  parseRollbackTarget,
  resolveRollbackTarget,
} from '../rollout/rollback-target.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { recordedRollout } from './recorded-rollout.ts';
import { checkRollbackAccess } from './rollback-access.ts';
import { type AdaptersFactory, type FollowInputs, readFollowInputs } from './rollout.ts';
import { ActionFailure } from './run.ts';

export interface RollbackInputs extends FollowInputs {
  configDir: string;
  environment: string;
  target: string;
  reason: string;
  /** Go ahead when the target would re-admit a range or a service (the operator saw the comparison). */
  allowWiderAccess: boolean;
}

export function readRollbackInputs(io: ActionIO): RollbackInputs {
  const inputs = new InputReader(io);
  const settings: RollbackInputs = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    target: inputs.optional('target') ?? 'previous',
    reason: inputs.required('reason'),
    allowWiderAccess: inputs.boolean('allow-wider-access', false),
    ...readFollowInputs(inputs),
  };
  const parsed = parseRollbackTarget(settings.target);
  if ('error' in parsed) inputs.problem(parsed.error);
  inputs.done();
  return settings;
}

export async function rollbackAction(
  settings: RollbackInputs,
  io: ActionIO,
  run: RunContext,
  createAdapters: AdaptersFactory,
): Promise<void> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const adapters = await createAdapters(environment, run, settings.githubToken);
  const target = parseRollbackTarget(settings.target);
  if ('error' in target) throw new ActionFailure(target.error);
  const ghEnvironment = githubEnvironment(environment);

  let history: DeploymentRecord[] = [];
  if (adapters.deployments) {
    history = await adapters.deployments.history(ghEnvironment).catch((error: unknown) => {
      io.warning(`could not read the GitHub deployment history (${String(error)}); using registry tags only`);
      return [];
    });
  } else {
    io.warning('No GitHub token: resolving the target from registry tags only');
  }
  const registryTags = target.kind === 'previous' ? [] : await adapters.registry.listTags();
  const resolved = resolveRollbackTarget(target, { history, registryTags });
  if (!resolved.ok) {
    const message = `cannot roll ${environment.name} back to "${settings.target}": ${resolved.message}. Nothing was changed.`;
    await io.appendSummary(`## Rollback refused\n\n${message}\n`);
    throw new ActionFailure(message);
  }
  const { resolution } = resolved;
  // Checked before anything is recorded: a deployment that can no longer be pulled (expired by the lifecycle
  // policy) is refused like an unknown target.
  if (!(await adapters.registry.findImage(resolution.imageTag))) {
    const newest = (await adapters.registry.listTags(100))
      .filter((tag) => tag.startsWith('git-'))
      .slice(0, 5);
    const message = `cannot roll ${environment.name} back to "${settings.target}": it resolved to ${resolution.imageTag}, which is no longer in ECR repository ${adapters.registry.repositoryName} (newest git-* tags: ${newest.join(', ') || 'none'}). Nothing was changed.`;
    await io.appendSummary(`## Rollback refused\n\n${message}\n`);
    throw new ActionFailure(message);
  }
  if (resolution.via === 'registry') {
    io.warning(
      `${resolution.imageTag} is not in the deployment history of ${ghEnvironment}; it was found in the registry`,
    );
  }
  const stack = await adapters.stacks.describe(stackNames(environment).ingress);
  const from = stack ? (stackParameter(stack, IMAGE_TAG_PARAMETER) ?? '') : '';
  const running = history.find((record) => record.imageTag === from && record.state === 'success');
  await checkRollbackAccess(
    {
      configDir: settings.configDir,
      current: { ...(running ? { record: running } : {}), checkedOut: config },
      target: {
        ...(resolution.sha ? { sha: resolution.sha } : {}),
        ...(resolution.record ? { record: resolution.record } : {}),
      },
      allowWiderAccess: settings.allowWiderAccess,
      now: new Date(),
    },
    io,
  );
  io.info(
    `Rolling ${environment.name} back: ${from || '(none)'} -> ${resolution.imageTag} (requested by ${run.actor}: ${settings.reason})`,
  );

  const result = await recordedRollout(
    {
      environment,
      githubEnvironment: ghEnvironment,
      imageTag: resolution.imageTag,
      sha: resolution.sha ?? run.sha,
      description: `Rollback by ${run.actor}: ${settings.reason}`,
      timeoutMs: settings.timeoutMinutes * 60_000,
      pollIntervalMs: settings.pollIntervalSeconds * 1000,
      cancelOnTimeout: settings.cancelOnTimeout,
      logUrl: run.runUrl,
      title: 'Rollback',
      context: [
        ['Who', code(run.actor)],
        ['Why', settings.reason],
        ['Requested target', code(settings.target)],
        [
          'Resolved from',
          resolution.via === 'history'
            ? `deployment ${resolution.record?.id ?? ''} (${resolution.record?.createdAt ?? ''})`
            : 'registry tags',
        ],
      ],
    },
    adapters,
    io,
  );

  // The deployment rolled back from is marked failed, so the next `previous` does not choose it again.
  const current = history[0];
  if (
    adapters.deployments &&
    current &&
    current.imageTag === from &&
    from !== resolution.imageTag &&
    current.state === 'success'
  ) {
    await adapters.deployments
      .setStatus(current.id, 'failure', {
        description: `Rolled back to ${resolution.imageTag} by ${run.actor}: ${settings.reason}`,
        logUrl: run.runUrl,
      })
      .catch((error: unknown) =>
        io.warning(`could not mark deployment ${current.id} as rolled back: ${String(error)}`),
      );
  }
  io.setOutput('image-tag', resolution.imageTag);
  io.setOutput('rolled-back-from', result.previousImageTag);
}
