// Reads one snapshot of the ECS service and the CloudFormation stack and says where the rollout stands.
// Pure: the rollout use case (roll-out.ts) fetches the snapshot, this decides, so every case is a unit test.
import type { Deployment, Service, ServiceEvent } from '@aws-sdk/client-ecs';
import { tagOfImage } from '../contract/image-tags.ts';

export interface RolloutSnapshot {
  stackStatus: string;
  stackStatusReason?: string;
  /** undefined when DescribeServices reported the service missing. */
  service?: Service;
  /** Proxy container image per task definition ARN, for the service's deployments. */
  images: ReadonlyMap<string, string>;
}

export interface RolloutGoal {
  imageTag: string;
  /** false when CloudFormation said "No updates are to be performed" (already on this tag). */
  stackUpdated: boolean;
}

export type FailureKind = 'circuit-breaker' | 'stack-rollback' | 'stack-failed' | 'stale-service' | 'drift';

export type RolloutVerdict =
  | { state: 'waiting'; detail: string }
  | { state: 'in-progress'; deployment: Deployment; detail: string }
  | { state: 'completed'; deployment: Deployment }
  | { state: 'failed'; kind: FailureKind; reason: string; deployment?: Deployment };

const STACK_SETTLED_OK = new Set(['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'IMPORT_COMPLETE']);

export function deploymentImageTag(deployment: Deployment, images: ReadonlyMap<string, string>) {
  const image = deployment.taskDefinition ? images.get(deployment.taskDefinition) : undefined;
  return image ? tagOfImage(image) : undefined;
}

export function assessRollout(snapshot: RolloutSnapshot, goal: RolloutGoal): RolloutVerdict {
  const { service } = snapshot;
  if (service?.status !== 'ACTIVE') {
    const name = service?.serviceName ? `ECS service ${service.serviceName}` : 'the ECS service';
    return {
      state: 'failed',
      kind: 'stale-service',
      reason: `${name} is ${service?.status ?? 'MISSING'}, not ACTIVE: it was deleted or replaced outside this stack update; run deploy-infra for this environment`,
    };
  }
  return failure(snapshot, service, goal) ?? progress(snapshot, service, goal);
}

/** How the stack or ECS ended the rollout, if they did. */
function failure(snapshot: RolloutSnapshot, service: Service, goal: RolloutGoal): RolloutVerdict | undefined {
  const { stackStatus } = snapshot;
  const stackReason = snapshot.stackStatusReason ? ` (${snapshot.stackStatusReason})` : '';
  if (stackStatus.endsWith('_FAILED')) {
    return {
      state: 'failed',
      kind: 'stack-failed',
      reason: `stack is ${stackStatus}${stackReason}; it needs attention before any deployment (see docs/actions.md)`,
    };
  }
  const mine = ourDeployment(service, snapshot.images, goal.imageTag);
  if (goal.stackUpdated && stackStatus.includes('ROLLBACK')) {
    const breaker =
      mine?.rolloutState === 'FAILED' ? `; ECS: ${mine.rolloutStateReason ?? 'deployment failed'}` : '';
    return {
      state: 'failed',
      kind: 'stack-rollback',
      reason: `CloudFormation is rolling the stack back (${stackStatus})${stackReason}${breaker}`,
      ...(mine ? { deployment: mine } : {}),
    };
  }
  if (mine?.rolloutState === 'FAILED') {
    return {
      state: 'failed',
      kind: 'circuit-breaker',
      reason: `ECS rolled the deployment back: ${mine.rolloutStateReason ?? 'rollout FAILED'}`,
      deployment: mine,
    };
  }
  return undefined;
}

/** Where a rollout that has not failed stands: waiting for its deployment, under way, or completed. */
function progress(snapshot: RolloutSnapshot, service: Service, goal: RolloutGoal): RolloutVerdict {
  const { stackStatus } = snapshot;
  // Without an update of ours, the stack's last status may be an earlier rollback that completed: settled too.
  const stackSettled = goal.stackUpdated
    ? STACK_SETTLED_OK.has(stackStatus)
    : !stackStatus.endsWith('_IN_PROGRESS');
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  const primaryTag = primary ? deploymentImageTag(primary, snapshot.images) : undefined;
  if (!primary || primaryTag !== goal.imageTag) {
    if (stackSettled && !goal.stackUpdated) {
      return {
        state: 'failed',
        kind: 'drift',
        reason: `the stack already has ImageTag=${goal.imageTag} but the service's primary deployment runs ${primaryTag ?? 'an unknown image'}: something other than CloudFormation changed the service`,
      };
    }
    return {
      state: 'waiting',
      detail: `stack ${stackStatus}; waiting for ECS to start a deployment of ${goal.imageTag} (primary runs ${primaryTag ?? 'unknown'})`,
    };
  }
  if (primary.rolloutState !== 'COMPLETED' && (primary.rolloutState || !isSettled(service))) {
    return { state: 'in-progress', deployment: primary, detail: progressLine(primary) };
  }
  if (stackSettled) return { state: 'completed', deployment: primary };
  return {
    state: 'in-progress',
    deployment: primary,
    detail: `COMPLETED in ECS; waiting for CloudFormation (${stackStatus})`,
  };
}

function ourDeployment(service: Service, images: ReadonlyMap<string, string>, tag: string) {
  // Newest first: a redeploy of the same tag after a failure is judged by its latest attempt.
  const candidates = (service.deployments ?? []).filter((d) => deploymentImageTag(d, images) === tag);
  return candidates.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
}

/** Without rollout state (no circuit breaker), the best signal: one deployment, all tasks running. */
function isSettled(service: Service): boolean {
  const deployments = service.deployments ?? [];
  return deployments.length === 1 && service.runningCount === service.desiredCount;
}

export function progressLine(deployment: Deployment): string {
  const failed = deployment.failedTasks ? `, ${deployment.failedTasks} failed` : '';
  return `${deployment.rolloutState ?? 'UNKNOWN'}: running ${deployment.runningCount ?? 0}/${deployment.desiredCount ?? 0}, pending ${deployment.pendingCount ?? 0}${failed}`;
}

/** Events not yet seen, oldest first (DescribeServices lists the newest first). */
export function unseenEvents(
  events: readonly ServiceEvent[],
  seen: ReadonlySet<string>,
  since: Date,
): ServiceEvent[] {
  // Reversed first so that events with equal timestamps keep their real order after the stable sort.
  return [...events]
    .reverse()
    .filter((e) => e.id && !seen.has(e.id) && (e.createdAt?.getTime() ?? 0) >= since.getTime())
    .sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
}
