// The rollout use case: point the Ingress stack at an image tag and follow it to the end. UpdateStack
// (UsePreviousTemplate, ImageTag=<tag>) unless the stack already has the tag, then poll the stack and the ECS
// service until the new deployment's rolloutState is COMPLETED and the stack UPDATE_COMPLETE, logging progress and
// each new service event once; then check that every running proxy task runs the registry's digest for the tag. It
// never throws: whatever happens (a circuit-breaker or stack rollback, a stale service, the timeout, an AWS error
// such as AccessDenied) comes back as an outcome with its evidence, and the actions turn that into summaries,
// deployment statuses and failures.
import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { Deployment, DesiredStatus, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG_PARAMETER } from '../contract/image-tags.ts';
import { stackNames } from '../contract/names.ts';
import { INGRESS_OUTPUTS } from '../contract/outputs.ts';
import { errorName, isStackBusy, isThrottling, stackOutputs, stackParameter } from './aws-answers.ts';
import { type BackoffPolicy, backoffPolicy, nextDelay } from './backoff.ts';
import {
  assessRollout,
  type FailureKind,
  progressLine,
  type RolloutVerdict,
  unseenEvents,
} from './service-state.ts';
import { cancelStackUpdate, waitForSettledStack } from './stack-settle.ts';

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** The CloudFormation calls the rollout makes (src/aws/cloudformation.ts implements them). */
export interface StackAdapter {
  describe(name: string): Promise<Stack | undefined>;
  /** false when CloudFormation reports nothing to change. */
  updateParameter(stack: Stack, parameter: string, value: string): Promise<boolean>;
  eventsSince(name: string, since: Date): Promise<StackEvent[]>;
  cancelUpdate(name: string): Promise<void>;
}

/** The ECR calls the rollout makes (src/aws/ecr.ts). */
export interface RegistryAdapter {
  readonly repositoryName: string;
  /** Newest first. */
  listTags(limit?: number): Promise<string[]>;
}

/** The ECS calls the rollout makes for one service (src/aws/ecs.ts). */
export interface FleetAdapter {
  describeService(): Promise<Service | undefined>;
  /** Proxy container image per task definition ARN. */
  containerImages(taskDefinitionArns: readonly string[]): Promise<Map<string, string>>;
  tasks(desiredStatus: DesiredStatus, limit?: number): Promise<Task[]>;
}

/** The AWS side the use case works through (built in src/actions/adapters.ts; mocked clients in tests). */
export interface RolloutAdapters {
  stacks: StackAdapter;
  registry: RegistryAdapter;
  fleet(cluster: string, service: string): FleetAdapter;
  clock: Clock;
}

/** Where progress goes while the rollout runs (the step log). */
export interface ProgressLog {
  info(message: string): void;
  warning(message: string): void;
}

export interface RolloutRequest {
  environment: Environment;
  imageTag: string;
  /** The registry's image for the tag (its digest), looked up beforehand; undefined when the tag is not in ECR. */
  image: { digest: string } | undefined;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Cancel the stack update when the timeout passes, so CloudFormation rolls back instead of carrying on. */
  cancelOnTimeout: boolean;
}

/** What was seen around a failure: service events since the start, stopped tasks, failed stack resources. */
export interface RolloutEvidence {
  serviceEvents: readonly ServiceEvent[];
  stoppedTasks: readonly Task[];
  stackEvents: readonly StackEvent[];
}

/** What is known of the stack and service, as far as the rollout got. */
export interface RolloutFacts {
  imageDigest?: string;
  previousImageTag?: string;
  /** cluster/service */
  service?: string;
}

export interface RolloutCompleted extends RolloutFacts {
  state: 'completed';
  imageDigest: string;
  previousImageTag: string;
  taskDefinitionArn: string;
  verifiedTasks: number;
  /** false when the stack already had this tag (the service was verified, nothing changed). */
  changed: boolean;
  /** Service events seen while following, oldest first. */
  timeline: readonly ServiceEvent[];
  durationMs: number;
}

/** Why a rollout failed: how ECS or CloudFormation ended it, the timeout, a digest check, or an AWS error. */
export type RolloutFailureKind = FailureKind | 'refused' | 'timeout' | 'digest' | 'error';

export interface RolloutFailed extends RolloutFacts {
  state: 'failed';
  kind: RolloutFailureKind;
  reason: string;
  /** true while the stack was not updated, so nothing needs rolling back. */
  unchanged: boolean;
  evidence: RolloutEvidence;
  /** The error behind kind 'error'. */
  error?: unknown;
}

export type RolloutOutcome = RolloutCompleted | RolloutFailed;

const NO_EVIDENCE: RolloutEvidence = { serviceEvents: [], stoppedTasks: [], stackEvents: [] };

/** Allowance for the difference between the runner's clock and AWS's when filtering events by time. */
const CLOCK_SKEW_MS = 60_000;

/** A failure that ends the rollout with a known kind (thrown inside rollOut only, caught at its end). */
class RolloutStop extends Error {
  constructor(
    readonly kind: RolloutFailureKind,
    reason: string,
    readonly evidence: RolloutEvidence = NO_EVIDENCE,
  ) {
    super(reason);
  }
}

export async function rollOut(
  request: RolloutRequest,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<RolloutOutcome> {
  const { environment, imageTag, image } = request;
  const stackName = stackNames(environment).ingress;
  const started = adapters.clock.now();
  const deadline = started.getTime() + request.timeoutMs;
  const since = new Date(started.getTime() - CLOCK_SKEW_MS);
  const policy = backoffPolicy(request.pollIntervalMs);
  const facts: RolloutFacts = image ? { imageDigest: image.digest } : {};
  let step = 'looking up the image';
  let unchanged = true;
  let fleet: FleetAdapter | undefined;
  let lastDeployment: Deployment | undefined;

  try {
    if (!image) {
      const newest = (await adapters.registry.listTags(100)).slice(0, 5);
      throw new RolloutStop(
        'refused',
        `image ${adapters.registry.repositoryName}:${imageTag} does not exist in ECR; nothing was changed. Newest tags: ${newest.join(', ') || 'none (the repository is empty)'}`,
      );
    }

    // 1. The stack must exist and be settled (a previous update may still be finishing or rolling back).
    step = `reading stack ${stackName}`;
    let stack = await adapters.stacks.describe(stackName);
    if (!stack)
      throw new RolloutStop(
        'refused',
        `stack ${stackName} does not exist; run deploy-infra for ${environment.name} first`,
      );
    if (isStackBusy(stack.StackStatus)) {
      log.info(`Stack ${stackName} is ${stack.StackStatus}; waiting for it to settle before updating`);
      stack = await waitForSettledStack(stackName, adapters.stacks, adapters.clock, deadline, policy);
      if (!stack || isStackBusy(stack.StackStatus)) {
        throw new RolloutStop(
          'refused',
          `stack ${stackName} stayed ${stack?.StackStatus ?? 'missing'} until the timeout; nothing was changed`,
        );
      }
    }
    if (stack.StackStatus?.endsWith('_FAILED')) {
      throw new RolloutStop(
        'refused',
        `stack ${stackName} is ${stack.StackStatus}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}; nothing was changed. ${stack.StackStatus === 'UPDATE_ROLLBACK_FAILED' ? 'Fix the resource named in the stack events, then run `aws cloudformation continue-update-rollback`.' : 'Inspect the stack events in the CloudFormation console.'}`,
      );
    }
    const previousImageTag = stackParameter(stack, IMAGE_TAG_PARAMETER) ?? '';
    facts.previousImageTag = previousImageTag;
    const outputs = stackOutputs(stack);
    const cluster = outputs[INGRESS_OUTPUTS.cluster];
    const serviceName = outputs[INGRESS_OUTPUTS.service];
    if (!cluster || !serviceName) {
      throw new RolloutStop(
        'refused',
        `stack ${stackName} has no ${INGRESS_OUTPUTS.cluster}/${INGRESS_OUTPUTS.service} outputs; deploy the current infrastructure with deploy-infra`,
      );
    }
    fleet = adapters.fleet(cluster, serviceName);
    facts.service = `${cluster}/${serviceName}`;

    // 2. Point the stack at the new tag, unless it is there already: deploy-infra's cdk deploy gives an existing
    // stack the tag in its own update, and a second update would only cost time.
    step = `updating stack ${stackName}`;
    const changed =
      previousImageTag !== imageTag &&
      (await adapters.stacks.updateParameter(stack, IMAGE_TAG_PARAMETER, imageTag));
    unchanged = !changed;
    log.info(
      changed
        ? `Updating ${stackName}: ${IMAGE_TAG_PARAMETER} ${previousImageTag || '(none)'} -> ${imageTag}`
        : `${stackName} already has ${IMAGE_TAG_PARAMETER}=${imageTag}; no stack update, following and verifying the service`,
    );

    // 3. Follow the stack and the service.
    step = 'following the rollout';
    const watch = { stackName, fleet, imageTag, stackUpdated: changed, started, since, deadline, policy };
    const followed = await follow(watch, adapters, log);
    const { verdict, timeline } = followed;
    lastDeployment = followed.lastDeployment;

    if (verdict?.state !== 'completed') {
      const evidence = await gatherEvidence(
        stackName,
        fleet,
        since,
        lastDeployment ?? (verdict?.state === 'failed' ? verdict.deployment : undefined),
        adapters,
        log,
      );
      if (verdict?.state === 'failed') throw new RolloutStop(verdict.kind, verdict.reason, evidence);
      const minutes = Math.round(request.timeoutMs / 60_000);
      const progress = lastDeployment ? ` (last seen: ${progressLine(lastDeployment)})` : '';
      let reason = `timed out after ${minutes} minute(s) waiting for ${imageTag} to reach rolloutState COMPLETED${progress}`;
      if (
        request.cancelOnTimeout &&
        changed &&
        (await cancelStackUpdate(adapters.stacks, stackName)).cancelled
      ) {
        reason += `; cancelled the stack update, so CloudFormation rolls back to ${previousImageTag || 'the previous image'}`;
      }
      throw new RolloutStop('timeout', reason, evidence);
    }

    // 4. The running tasks must run exactly the image the tag names in the registry.
    step = 'verifying the running tasks';
    const deployment = verdict.deployment;
    const running = (await fleet.tasks('RUNNING')).filter((t) => t.lastStatus === 'RUNNING');
    const mismatch = digestMismatches(running, image.digest, adapters.registry.repositoryName);
    if (running.length === 0 || mismatch.length > 0) {
      const reason =
        running.length === 0
          ? `the deployment completed but no proxy task is RUNNING, so the image digest could not be verified`
          : `${mismatch.length} running task(s) do not run ${image.digest} (${imageTag}): ${mismatch.join('; ')}`;
      throw new RolloutStop(
        'digest',
        reason,
        await gatherEvidence(stackName, fleet, since, deployment, adapters, log),
      );
    }
    log.info(`Verified ${running.length} running task(s) use ${image.digest}`);
    return {
      ...facts,
      state: 'completed',
      imageDigest: image.digest,
      previousImageTag,
      taskDefinitionArn: deployment.taskDefinition ?? '',
      verifiedTasks: running.length,
      changed,
      timeline,
      durationMs: adapters.clock.now().getTime() - started.getTime(),
    };
  } catch (error) {
    if (error instanceof RolloutStop) {
      return {
        ...facts,
        state: 'failed',
        kind: error.kind,
        reason: error.message,
        unchanged,
        evidence: error.evidence,
      };
    }
    // Anything else (AccessDenied, a network error, a bug) still ends as a reported failure, with what the fleet
    // shows when the stack was already updated.
    const message = error instanceof Error ? error.message : String(error);
    const name = errorName(error);
    const reason = `${step} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}${unchanged ? '; nothing was changed' : ''}`;
    const evidence =
      fleet && !unchanged
        ? await gatherEvidence(stackName, fleet, since, lastDeployment, adapters, log)
        : NO_EVIDENCE;
    return { ...facts, state: 'failed', kind: 'error', reason, unchanged, evidence, error };
  }
}

interface Watch {
  stackName: string;
  fleet: FleetAdapter;
  imageTag: string;
  stackUpdated: boolean;
  started: Date;
  /** Service events from before this are not the rollout's. */
  since: Date;
  deadline: number;
  policy: BackoffPolicy;
}

/**
 * Polls until the rollout completes or fails, or the deadline passes (verdict then still waiting or in progress),
 * printing each new progress line and service event once.
 */
async function follow(watch: Watch, adapters: RolloutAdapters, log: ProgressLog) {
  const seenEvents = new Set<string>();
  const timeline: ServiceEvent[] = [];
  let lastLine = '';
  let quietPolls = 0;
  let throttled = false;
  let verdict: RolloutVerdict | undefined;
  let lastDeployment: Deployment | undefined;
  while (true) {
    try {
      const current = await adapters.stacks.describe(watch.stackName);
      const service = await watch.fleet.describeService();
      const images = await watch.fleet.containerImages(
        (service?.deployments ?? []).flatMap((d) => (d.taskDefinition ? [d.taskDefinition] : [])),
      );
      throttled = false;
      const fresh = unseenEvents(service?.events ?? [], seenEvents, watch.since);
      for (const event of fresh) {
        if (event.id) seenEvents.add(event.id);
        timeline.push(event);
        log.info(`  event ${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`);
      }
      verdict = assessRollout(
        {
          stackStatus: current?.StackStatus ?? 'DELETED',
          ...(current?.StackStatusReason ? { stackStatusReason: current.StackStatusReason } : {}),
          ...(service ? { service } : {}),
          images,
        },
        { imageTag: watch.imageTag, stackUpdated: watch.stackUpdated },
      );
      if (verdict.state === 'in-progress' || verdict.state === 'completed')
        lastDeployment = verdict.deployment;
      const line =
        verdict.state === 'waiting' || verdict.state === 'in-progress'
          ? `${verdict.state === 'in-progress' ? `deployment ${verdict.deployment.id ?? ''} ` : ''}${verdict.detail}`
          : '';
      if (line && line !== lastLine) {
        log.info(`[${elapsed(watch.started, adapters.clock.now())}] ${line}`);
        lastLine = line;
        quietPolls = 0;
      } else {
        quietPolls = fresh.length > 0 ? 0 : quietPolls + 1;
      }
      if (verdict.state === 'completed' || verdict.state === 'failed') break;
    } catch (error) {
      if (!isThrottling(error)) throw error;
      throttled = true;
      log.info(`AWS is throttling requests (${(error as Error).message}); polling more slowly`);
    }
    if (adapters.clock.now().getTime() >= watch.deadline) break;
    const delay = Math.min(
      nextDelay(watch.policy, quietPolls, throttled),
      Math.max(0, watch.deadline - adapters.clock.now().getTime()),
    );
    await adapters.clock.sleep(delay);
  }

  return { verdict, lastDeployment, timeline };
}

/** Service events since the start, stopped tasks of the new deployment, and failed stack resources. */
async function gatherEvidence(
  stackName: string,
  fleet: FleetAdapter,
  since: Date,
  deployment: Deployment | undefined,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<RolloutEvidence> {
  const evidence = { ...NO_EVIDENCE };
  // Each source is best effort: a failure to read one must not hide the others or the original reason.
  await Promise.all([
    fleet
      .describeService()
      .then((service) => {
        evidence.serviceEvents = unseenEvents(service?.events ?? [], new Set(), since);
      })
      .catch((error: unknown) => log.warning(`could not read service events: ${String(error)}`)),
    fleet
      .tasks('STOPPED', 20)
      .then((tasks) => {
        evidence.stoppedTasks = tasks
          .filter((t) => !deployment?.taskDefinition || t.taskDefinitionArn === deployment.taskDefinition)
          .filter((t) => (t.stoppedAt?.getTime() ?? t.createdAt?.getTime() ?? 0) >= since.getTime())
          .slice(0, 10);
      })
      .catch((error: unknown) => log.warning(`could not read stopped tasks: ${String(error)}`)),
    adapters.stacks
      .eventsSince(stackName, since)
      .then((events) => {
        evidence.stackEvents = events;
      })
      .catch((error: unknown) => log.warning(`could not read stack events: ${String(error)}`)),
  ]);
  return evidence;
}

/** Running tasks whose proxy container digest differs from the expected one, described for the message. */
export function digestMismatches(tasks: readonly Task[], digest: string, repositoryName: string): string[] {
  const problems: string[] = [];
  for (const task of tasks) {
    const id = task.taskArn?.split('/').pop() ?? 'task';
    const containers = task.containers ?? [];
    const proxy = containers.find((c) => c.image?.includes(`/${repositoryName}`)) ?? containers[0];
    if (proxy?.imageDigest !== digest)
      problems.push(`${id} runs ${proxy?.imageDigest ?? 'an unknown digest'}`);
  }
  return problems;
}

function elapsed(from: Date, to: Date): string {
  return formatDuration(to.getTime() - from.getTime());
}

/** "42s" or "3m07s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
