// The rollback use case: resolve `previous`, a commit sha or an image tag to an image that exists in ECR and was
// deployed before, compare what the target would allow and serve with what runs now (refusing a widening unless the
// operator allowed it, and refusing when the comparison cannot be made), then roll out to it like any rollout and
// mark the deployment rolled back from as failed. Never throws for an expected failure: every end is an outcome.
import { utcDay } from '../access/expiry.ts';
import { type AccessSide, type AccessWidening, accessWidening, widens } from '../access/rollback-access.ts';
import type { Environment } from '../config/model.ts';
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
import type { ProgressLog } from './ports.ts';
import { type RolloutAdapters, type RolloutOutcome, rollOut } from './roll-out.ts';

export interface RollbackPorts extends RolloutAdapters {
  /**
   * The access the configuration of commit `sha` grants, as rendered at `renderedAt` (entries expired by then left
   * out). Rejects when that configuration cannot be read, e.g. the commit is not in the clone.
   */
  accessAt(sha: string, renderedAt: Date): Promise<AccessSide>;
}

export interface RollbackRequest {
  environment: Environment;
  githubEnvironment: string;
  /** previous, a commit sha (full or abbreviated) or an image tag. */
  target: string;
  who: string;
  why: string;
  /** What runs now when the deployment history does not say: the checked-out configuration's access. */
  checkedOut: AccessSide;
  /** Go ahead when the target would re-admit a range or a service, or when its access cannot be compared. */
  allowWiderAccess: boolean;
  /** Commit to record the rollback against when the target names none. */
  fallbackSha: string;
  logUrl: string;
  timeoutMs: number;
  pollIntervalMs: number;
  cancelOnTimeout: boolean;
}

/** What the access comparison found. */
export type AccessComparison =
  | { compared: true; widening: AccessWidening }
  | { compared: false; why: string };

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
  const { environment } = request;
  const refused = (why: string, access?: AccessComparison): RollbackOutcome => ({
    state: 'refused',
    reason: `cannot roll ${environment.name} back to "${request.target}": ${why}. Nothing was changed.`,
    ...(access ? { access } : {}),
  });
  const target = parseRollbackTarget(request.target);
  if ('error' in target) return refused(target.error);
  const history = await deploymentHistory(request.githubEnvironment, ports, log);
  const registryTags = target.kind === 'previous' ? [] : await ports.registry.listTags();
  const resolved = resolveRollbackTarget(target, { history, registryTags });
  if (!resolved.ok) return refused(resolved.message);
  const { resolution } = resolved;
  // Checked before anything is recorded: a deployment that can no longer be pulled (expired by the lifecycle
  // policy) is refused like an unknown target.
  const image = await ports.registry.findImage(resolution.imageTag);
  if (!image) {
    const newest = (await ports.registry.listTags(100)).filter((tag) => tag.startsWith('git-')).slice(0, 5);
    return refused(
      `it resolved to ${resolution.imageTag}, which is no longer in ECR repository ${ports.registry.repositoryName} (newest git-* tags: ${newest.join(', ') || 'none'})`,
    );
  }
  if (resolution.via === 'registry') {
    log.warning(
      `${resolution.imageTag} is not in the deployment history of ${request.githubEnvironment}; it was found in the registry`,
    );
  }
  const from = stackImageTag(await ports.stacks.describe(ingressStackName(environment)));
  const running = history.find((record) => record.imageTag === from && record.state === 'success');
  const access = await compareAccess(
    request,
    running,
    targetRender(resolution, image.tags ?? [], ports.clock.now()),
    ports,
  );
  const objection = accessObjection(access, request.allowWiderAccess);
  if (objection) return refused(objection, access);

  log.info(
    `Rolling ${environment.name} back: ${from || '(none)'} -> ${resolution.imageTag} (requested by ${request.who}: ${request.why})`,
  );
  const rollout = await rollOut(
    {
      environment,
      githubEnvironment: request.githubEnvironment,
      imageTag: resolution.imageTag,
      sha: resolution.sha ?? request.fallbackSha,
      description: `Rollback by ${request.who}: ${request.why}`,
      logUrl: request.logUrl,
      timeoutMs: request.timeoutMs,
      pollIntervalMs: request.pollIntervalMs,
      cancelOnTimeout: request.cancelOnTimeout,
    },
    ports,
    log,
  );
  if (rollout.state === 'completed')
    await markRolledBack(history[0], from, resolution.imageTag, request, ports, log);
  return { state: 'rolled-out', resolution, from, access, rollout };
}

async function deploymentHistory(
  githubEnvironment: string,
  ports: RollbackPorts,
  log: ProgressLog,
): Promise<DeploymentRecord[]> {
  if (!ports.deployments) {
    log.warning('No GitHub token: resolving the target from registry tags only');
    return [];
  }
  return ports.deployments.history(githubEnvironment).catch((error: unknown) => {
    log.warning(`could not read the GitHub deployment history (${String(error)}); using registry tags only`);
    return [];
  });
}

/** What the target would allow and serve against what runs now; the configuration of both comes from git. */
async function compareAccess(
  request: RollbackRequest,
  running: DeploymentRecord | undefined,
  target: Render,
  ports: RollbackPorts,
): Promise<AccessComparison> {
  if (!target.sha) return { compared: false, why: 'the target names no commit' };
  try {
    const now = running?.sha ? await ports.accessAt(running.sha, runningRender(running)) : request.checkedOut;
    const then = await ports.accessAt(target.sha, target.at);
    return { compared: true, widening: accessWidening(now, then, utcDay(ports.clock.now())) };
  } catch (error) {
    return { compared: false, why: error instanceof Error ? error.message : String(error) };
  }
}

/** Why the access comparison stops the rollback, unless the operator allowed wider access. */
function accessObjection(access: AccessComparison, allowWiderAccess: boolean): string | undefined {
  if (allowWiderAccess) return undefined;
  if (!access.compared) {
    return `what the target allows could not be compared with what runs now (${access.why}), so it might widen access`;
  }
  return widens(access.widening) ? 'the rollback would widen access' : undefined;
}

/** The deployment rolled back from is marked failed, so the next `previous` does not choose it again. */
async function markRolledBack(
  current: DeploymentRecord | undefined,
  from: string,
  to: string,
  request: RollbackRequest,
  ports: RollbackPorts,
  log: ProgressLog,
): Promise<void> {
  if (
    !ports.deployments ||
    !current ||
    current.imageTag !== from ||
    from === to ||
    current.state !== 'success'
  )
    return;
  await ports.deployments
    .setStatus(current.id, 'failure', {
      description: `Rolled back to ${to} by ${request.who}: ${request.why}`,
      logUrl: request.logUrl,
    })
    .catch((error: unknown) =>
      log.warning(`could not mark deployment ${current.id} as rolled back: ${String(error)}`),
    );
}
