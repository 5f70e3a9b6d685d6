// The rollback use case: resolve `previous`, a commit sha or an image tag to an image that exists in ECR and was
// deployed before, compare what the target would allow and serve with what runs now (refusing a widening unless the
// operator allowed it, and refusing when the comparison cannot be made), then roll out to it like any rollout and
// mark the deployment rolled back from as failed. Never throws for an expected failure: every end is an outcome.
import { utcDay } from '../access/expiry.ts';
import {
  type AccessComparison,
  type AccessSide,
  accessObjection,
  accessWidening,
} from '../access/rollback-access.ts';
import {
  type DeploymentRecord,
  parseRollbackTarget,
  type Render,
  type Resolution,
  resolveRollbackTarget,
  runningRender,
  targetRender,
} from '../rollout/rollback-target.ts';
import { ingressStackName, stackImageTag } from '../rollout/verification.ts';
import type { EnvironmentOpener, ProgressLog } from './ports.ts';
import { type RolloutAdapters, type RolloutOutcome, rollOut } from './roll-out.ts';

export interface RollbackPorts {
  /** The environment's checked-out configuration (what runs now when the history does not say) and adapters. */
  open: EnvironmentOpener<RolloutAdapters>;
  /**
   * The access the configuration of commit `sha` grants, as rendered at `renderedAt` (entries expired by then left
   * out). Rejects when that configuration cannot be read, e.g. the commit is not in the clone.
   */
  accessAt(sha: string, renderedAt: Date): Promise<AccessSide>;
}

export interface RollbackRequest {
  /** The environment's name in deployment.yaml. */
  environment: string;
  /** previous, a commit sha (full or abbreviated) or an image tag. */
  target: string;
  who: string;
  why: string;
  /** Go ahead when the target would re-admit a range or a service, or when its access cannot be compared. */
  allowWiderAccess: boolean;
  /** Commit to record the rollback against when the target names none. */
  fallbackSha: string;
  logUrl: string;
  timeoutMs: number;
  pollIntervalMs: number;
  cancelOnTimeout: boolean;
}

export type RollbackOutcome =
  | { state: 'refused'; reason: string; access?: AccessComparison }
  | {
      state: 'rolled-out';
      resolution: Resolution;
      /** The image tag the stack had. */
      from: string;
      access: AccessComparison;
      /** Completed or failed, with its evidence. */
      rollout: RolloutOutcome;
    };

export async function rollBack(
  request: RollbackRequest,
  ports: RollbackPorts,
  log: ProgressLog,
): Promise<RollbackOutcome> {
  const refused = (why: string, access?: AccessComparison): RollbackOutcome => ({
    state: 'refused',
    reason: `cannot roll ${request.environment} back to "${request.target}": ${why}. Nothing was changed.`,
    ...(access ? { access } : {}),
  });
  const target = parseRollbackTarget(request.target);
  if ('error' in target) return refused(target.error);
  const opened = await ports.open(request.environment);
  if (opened.state === 'refused') return { state: 'refused', reason: opened.reason };
  const { environment, adapters, githubEnvironment: deployedTo } = opened;
  const history = await deploymentHistory(deployedTo, adapters, log);
  const registryTags = target.kind === 'previous' ? [] : await adapters.registry.listTags();
  const resolved = resolveRollbackTarget(target, { history, registryTags });
  if (!resolved.ok) return refused(resolved.message);
  const { resolution } = resolved;
  // Checked before anything is recorded: a deployment that can no longer be pulled (expired by the lifecycle
  // policy) is refused like an unknown target.
  const image = await adapters.registry.findImage(resolution.imageTag);
  if (!image) {
    const newest = (await adapters.registry.listTags(100))
      .filter((tag) => tag.startsWith('git-'))
      .slice(0, 5);
    return refused(
      `it resolved to ${resolution.imageTag}, which is no longer in ECR repository ${adapters.registry.repositoryName} (newest git-* tags: ${newest.join(', ') || 'none'})`,
    );
  }
  if (resolution.via === 'registry') {
    log.warning(
      `${resolution.imageTag} is not in the deployment history of ${deployedTo}; it was found in the registry`,
    );
  }
  const from = stackImageTag(await adapters.stacks.describe(ingressStackName(environment)));
  const running = history.find((record) => record.imageTag === from && record.state === 'success');
  const now = adapters.clock.now();
  const access = await compareAccess(running, targetRender(resolution, image.tags ?? [], now), {
    checkedOut: opened.config,
    accessAt: ports.accessAt,
    today: utcDay(now),
  });
  const objection = accessObjection(access, request.allowWiderAccess);
  if (objection) return refused(objection, access);

  log.info(
    `Rolling ${environment.name} back: ${from || '(none)'} -> ${resolution.imageTag} (requested by ${request.who}: ${request.why})`,
  );
  const rollout = await rollOut(
    {
      environment,
      githubEnvironment: deployedTo,
      imageTag: resolution.imageTag,
      sha: resolution.sha ?? request.fallbackSha,
      description: `Rollback by ${request.who}: ${request.why}`,
      logUrl: request.logUrl,
      timeoutMs: request.timeoutMs,
      pollIntervalMs: request.pollIntervalMs,
      cancelOnTimeout: request.cancelOnTimeout,
    },
    adapters,
    log,
  );
  if (rollout.state === 'completed')
    await markRolledBack(history[0], from, resolution.imageTag, request, adapters, log);
  return { state: 'rolled-out', resolution, from, access, rollout };
}

async function deploymentHistory(
  deployedTo: string,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<DeploymentRecord[]> {
  if (!adapters.deployments) {
    log.warning('No GitHub token: resolving the target from registry tags only');
    return [];
  }
  return adapters.deployments.history(deployedTo).catch((error: unknown) => {
    log.warning(`could not read the GitHub deployment history (${String(error)}); using registry tags only`);
    return [];
  });
}

/** What the target would allow and serve against what runs now; the configuration of both comes from git. */
async function compareAccess(
  running: DeploymentRecord | undefined,
  target: Render,
  sides: {
    /** What runs now when the deployment history does not say: the checked-out configuration's access. */
    checkedOut: AccessSide;
    accessAt: RollbackPorts['accessAt'];
    today: string;
  },
): Promise<AccessComparison> {
  if (!target.sha) return { compared: false, why: 'the target names no commit' };
  try {
    const now = running?.sha ? await sides.accessAt(running.sha, runningRender(running)) : sides.checkedOut;
    const then = await sides.accessAt(target.sha, target.at);
    return { compared: true, widening: accessWidening(now, then, sides.today) };
  } catch (error) {
    return { compared: false, why: error instanceof Error ? error.message : String(error) };
  }
}

/** The deployment rolled back from is marked failed, so the next `previous` does not choose it again. */
async function markRolledBack(
  current: DeploymentRecord | undefined,
  from: string,
  to: string,
  request: RollbackRequest,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<void> {
  if (
    !adapters.deployments ||
    !current ||
    current.imageTag !== from ||
    from === to ||
    current.state !== 'success'
  )
    return;
  await adapters.deployments
    .setStatus(current.id, 'failure', {
      description: `Rolled back to ${to} by ${request.who}: ${request.why}`,
      logUrl: request.logUrl,
    })
    .catch((error: unknown) =>
      log.warning(`could not mark deployment ${current.id} as rolled back: ${String(error)}`),
    );
}
