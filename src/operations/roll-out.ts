// The rollout use case: record the attempt as a GitHub deployment, point the Ingress stack at an image tag and
// follow it to the end. UpdateStack (UsePreviousTemplate, ImageTag=<tag>) unless the stack already has the tag, then
// poll the stack and the ECS service until the new deployment's rolloutState is COMPLETED and the stack
// UPDATE_COMPLETE, logging progress and each new service event once; then check that every running proxy task runs
// the registry's digest for the tag, and give the deployment its final status. It never throws: whatever happens (a
// circuit-breaker or stack rollback, a stale service, the timeout, an AWS error such as AccessDenied) comes back as
// an outcome with its evidence, and the actions and the CLI turn that into summaries and exit codes.
import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { Deployment, DesiredStatus, Service, ServiceEvent, Task } from '@aws-sdk/client-ecs';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG_PARAMETER, imageContent } from '../contract/image-tags.ts';
import type { RolloutEvidence } from '../render/rollout-evidence.ts';
import { errorName, failedStackEvents, isStackBusy, isThrottling } from '../rollout/aws-answers.ts';
import { type BackoffPolicy, backoffPolicy, nextDelay } from '../rollout/backoff.ts';
import {
  assessRollout,
  type FailureKind,
  progressLine,
  type RolloutVerdict,
  unseenEvents,
} from '../rollout/service-state.ts';
import { cancelStackUpdate, waitForSettledStack } from '../rollout/stack-settle.ts';
import {
  digestMismatches,
  elapsed,
  ingressStackName,
  stackImageTag,
  stackReadiness,
} from '../rollout/verification.ts';
import type {
  Clock,
  DeploymentLog,
  DeploymentPayload,
  DeploymentState,
  EnvironmentOpener,
  ProgressLog,
} from './ports.ts';

/** The CloudFormation calls the rollout makes (src/aws/cloudformation.ts implements them). */
export interface StackAdapter {
  describe(name: string): Promise<Stack | undefined>;
  /** false when CloudFormation reports nothing to change. */
  updateParameter(stack: Stack, parameter: string, value: string): Promise<boolean>;
  eventsSince(name: string, since: Date): Promise<StackEvent[]>;
  cancelUpdate(name: string): Promise<void>;
}

/** An image in the registry: its digest and every tag it has (its cfg-, git- and git-rendered- names). */
export interface FoundImage {
  digest: string;
  tags?: readonly string[];
}

/** The ECR calls the rollout makes (src/aws/ecr.ts). */
export interface RegistryAdapter {
  readonly repositoryName: string;
  /** Newest first. */
  listTags(limit?: number): Promise<string[]>;
  /** The tag's image (with all its tags), undefined when the tag is not in the repository. */
  findImage(tag: string): Promise<FoundImage | undefined>;
}

/** The ECS calls the rollout makes for one service (src/aws/ecs.ts). */
export interface FleetAdapter {
  describeService(): Promise<Service | undefined>;
  /** Proxy container image per task definition ARN. */
  containerImages(taskDefinitionArns: readonly string[]): Promise<Map<string, string>>;
  tasks(desiredStatus: DesiredStatus, limit?: number): Promise<Task[]>;
}

/** What the rollout works through (built in src/actions/adapters.ts; mocked clients in tests). */
export interface RolloutAdapters {
  stacks: StackAdapter;
  registry: RegistryAdapter;
  fleet(cluster: string, service: string): FleetAdapter;
  clock: Clock;
  /** Absent without a GitHub token: nothing is recorded. */
  deployments?: DeploymentLog;
}

/** The GitHub deployment that records the attempt. */
export interface DeploymentToRecord {
  githubEnvironment: string;
  sha: string;
  description: string;
  /** Link to the workflow run. */
  logUrl: string;
}

export interface RolloutRequest extends DeploymentToRecord {
  environment: Environment;
  imageTag: string;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Cancel the stack update when the timeout passes, so CloudFormation rolls back instead of carrying on. */
  cancelOnTimeout: boolean;
}

/** What is known of the stack and service, as far as the rollout got. */
export interface RolloutFacts {
  imageDigest?: string;
  previousImageTag?: string;
  /** cluster/service */
  service?: string;
  /** The GitHub deployment recording the attempt, when one was recorded. */
  deploymentId?: number;
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

/** A failure that ends the rollout with a known kind (thrown inside this module only, caught in followRollout). */
class RolloutStop extends Error {
  constructor(
    readonly kind: RolloutFailureKind,
    reason: string,
    readonly evidence: RolloutEvidence = NO_EVIDENCE,
  ) {
    super(reason);
  }
}

/** The rollout action's request: an image for the environment of that name. */
export interface ImageRolloutRequest extends Omit<RolloutRequest, 'environment' | 'githubEnvironment'> {
  environment: string;
}

/**
 * Opens the environment (its configuration and account) and rolls the image out there; an environment that cannot
 * be opened fails the rollout before anything is recorded or changed.
 */
export async function rollOutImage(
  request: ImageRolloutRequest,
  open: EnvironmentOpener<RolloutAdapters>,
  log: ProgressLog,
): Promise<RolloutOutcome> {
  const opened = await open(request.environment);
  if (opened.state === 'refused')
    return {
      state: 'failed',
      kind: 'refused',
      reason: opened.reason,
      unchanged: true,
      evidence: NO_EVIDENCE,
    };
  const { environment, githubEnvironment, adapters } = opened;
  return rollOut({ ...request, environment, githubEnvironment }, adapters, log);
}

export async function rollOut(
  request: RolloutRequest,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<RolloutOutcome> {
  let image: FoundImage | undefined;
  try {
    image = await adapters.registry.findImage(request.imageTag);
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      state: 'failed',
      kind: 'error',
      reason: `looking up the image failed: ${message}; nothing was changed`,
      unchanged: true,
      evidence: NO_EVIDENCE,
      error,
    };
  }
  // Recorded before anything can fail, so that every failed rollout is the newest deployment in the history and
  // `rollback previous` goes to what is really running.
  const deploymentId = await recordDeployment(request, image, adapters.deployments, log);
  const outcome = await followRollout(request, image, adapters, log);
  if (deploymentId === undefined || !adapters.deployments) return outcome;
  const state = finalState(outcome);
  const description = outcome.state === 'completed' ? `${request.imageTag} is running` : outcome.reason;
  await adapters.deployments
    .setStatus(deploymentId, state, { description, logUrl: request.logUrl })
    .catch((error: unknown) =>
      log.warning(`could not record ${state} on GitHub deployment ${deploymentId}: ${String(error)}`),
    );
  return { ...outcome, deploymentId };
}

async function recordDeployment(
  request: RolloutRequest,
  image: FoundImage | undefined,
  deployments: DeploymentLog | undefined,
  log: ProgressLog,
): Promise<number | undefined> {
  if (!deployments) {
    log.info('No GitHub token: the deployment is not recorded on GitHub');
    return undefined;
  }
  try {
    const id = await deployments.create({
      environment: request.githubEnvironment,
      sha: request.sha,
      payload: deploymentPayload(request.imageTag, image),
      description: request.description,
    });
    await deployments.setStatus(id, 'in_progress', {
      description: `rolling out ${request.imageTag}`,
      logUrl: request.logUrl,
    });
    log.info(`Recorded GitHub deployment ${id} for environment ${request.githubEnvironment}`);
    return id;
  } catch (error) {
    log.warning(
      `could not record a GitHub deployment (${error instanceof Error ? error.message : String(error)}); rolling out anyway. The workflow needs permissions: deployments: write`,
    );
    return undefined;
  }
}

/**
 * What the deployment records: the tag, and of the image found, its digest and its newest render (what the daily
 * expiry run judges the running image by: a rollback to an older image records that image's render).
 */
export function deploymentPayload(imageTag: string, image: FoundImage | undefined): DeploymentPayload {
  if (!image) return { imageTag };
  const [newest] = imageContent({ tags: image.tags ?? [] }).renders;
  return {
    imageTag,
    digest: image.digest,
    ...(newest ? { renderedFrom: newest.commit, renderedOn: newest.renderedOn } : {}),
  };
}

/** The deployment's final status: failure for a rollout that failed, error when an AWS call failed unexpectedly. */
export function finalState(outcome: RolloutOutcome): DeploymentState {
  if (outcome.state === 'completed') return 'success';
  return outcome.kind === 'error' ? 'error' : 'failure';
}

/** Where the rollout stands while it runs, for the failure it may end with. */
interface Progress {
  step: string;
  unchanged: boolean;
  facts: RolloutFacts;
  fleet?: FleetAdapter;
  lastDeployment?: Deployment;
}

async function followRollout(
  request: RolloutRequest,
  image: FoundImage | undefined,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<RolloutOutcome> {
  const stackName = ingressStackName(request.environment);
  const started = adapters.clock.now();
  const since = new Date(started.getTime() - CLOCK_SKEW_MS);
  const progress: Progress = {
    step: 'looking up the image',
    unchanged: true,
    facts: image ? { imageDigest: image.digest } : {},
  };
  try {
    if (!image) throw await missingImage(request.imageTag, adapters.registry);
    const timing = {
      started,
      since,
      deadline: started.getTime() + request.timeoutMs,
      policy: backoffPolicy(request.pollIntervalMs),
    };
    return await updateAndFollow(request, image, { stackName, ...timing }, progress, adapters, log);
  } catch (error) {
    const { facts, unchanged, fleet, lastDeployment } = progress;
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
    const reason = `${progress.step} failed: ${name && name !== 'Error' ? `${name}: ` : ''}${message}${unchanged ? '; nothing was changed' : ''}`;
    const evidence =
      fleet && !unchanged
        ? await gatherEvidence(stackName, fleet, since, lastDeployment, adapters, log)
        : NO_EVIDENCE;
    return { ...facts, state: 'failed', kind: 'error', reason, unchanged, evidence, error };
  }
}

async function missingImage(imageTag: string, registry: RegistryAdapter): Promise<RolloutStop> {
  const newest = (await registry.listTags(100)).slice(0, 5);
  return new RolloutStop(
    'refused',
    `image ${registry.repositoryName}:${imageTag} does not exist in ECR; nothing was changed. Newest tags: ${newest.join(', ') || 'none (the repository is empty)'}`,
  );
}

interface Timing {
  stackName: string;
  started: Date;
  /** Service events from before this are not the rollout's. */
  since: Date;
  deadline: number;
  policy: BackoffPolicy;
}

/** The stack, once it is settled (a previous update may still be finishing or rolling back). */
async function settledStack(
  timing: Timing,
  environment: Environment,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<Stack> {
  const { stackName } = timing;
  let stack = await adapters.stacks.describe(stackName);
  if (!stack) {
    throw new RolloutStop(
      'refused',
      `stack ${stackName} does not exist; run deploy-infra for ${environment.name} first`,
    );
  }
  if (!isStackBusy(stack.StackStatus)) return stack;
  log.info(`Stack ${stackName} is ${stack.StackStatus}; waiting for it to settle before updating`);
  stack = await waitForSettledStack(
    stackName,
    adapters.stacks,
    adapters.clock,
    timing.deadline,
    timing.policy,
  );
  if (!stack || isStackBusy(stack.StackStatus)) {
    throw new RolloutStop(
      'refused',
      `stack ${stackName} stayed ${stack?.StackStatus ?? 'missing'} until the timeout; nothing was changed`,
    );
  }
  return stack;
}

async function updateAndFollow(
  request: RolloutRequest,
  image: FoundImage,
  timing: Timing,
  progress: Progress,
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<RolloutCompleted> {
  const { imageTag } = request;
  const { stackName } = timing;
  // 1. The stack must exist, be settled, and name the service it runs.
  progress.step = `reading stack ${stackName}`;
  const stack = await settledStack(timing, request.environment, adapters, log);
  const ready = stackReadiness(stack, stackName);
  if ('refused' in ready) throw new RolloutStop('refused', ready.refused);
  const previousImageTag = stackImageTag(stack);
  progress.facts.previousImageTag = previousImageTag;
  const fleet = adapters.fleet(ready.cluster, ready.service);
  progress.fleet = fleet;
  progress.facts.service = `${ready.cluster}/${ready.service}`;

  // 2. Point the stack at the new tag, unless it is there already: deploy-infra's cdk deploy gives an existing
  // stack the tag in its own update, and a second update would only cost time.
  progress.step = `updating stack ${stackName}`;
  const changed =
    previousImageTag !== imageTag &&
    (await adapters.stacks.updateParameter(stack, IMAGE_TAG_PARAMETER, imageTag));
  progress.unchanged = !changed;
  log.info(
    changed
      ? `Updating ${stackName}: ${IMAGE_TAG_PARAMETER} ${previousImageTag || '(none)'} -> ${imageTag}`
      : `${stackName} already has ${IMAGE_TAG_PARAMETER}=${imageTag}; no stack update, following and verifying the service`,
  );

  // 3. Follow the stack and the service.
  progress.step = 'following the rollout';
  const watch = { ...timing, fleet, imageTag, stackUpdated: changed };
  const followed = await follow(watch, adapters, log);
  const { verdict, timeline } = followed;
  progress.lastDeployment = followed.lastDeployment;
  if (verdict?.state !== 'completed') {
    throw await unfinished(
      request,
      verdict,
      { ...watch, previousImageTag, lastDeployment: followed.lastDeployment },
      adapters,
      log,
    );
  }

  // 4. The running tasks must run exactly the image the tag names in the registry.
  progress.step = 'verifying the running tasks';
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
      await gatherEvidence(stackName, fleet, timing.since, deployment, adapters, log),
    );
  }
  log.info(`Verified ${running.length} running task(s) use ${image.digest}`);
  return {
    ...progress.facts,
    state: 'completed',
    imageDigest: image.digest,
    previousImageTag,
    taskDefinitionArn: deployment.taskDefinition ?? '',
    verifiedTasks: running.length,
    changed,
    timeline,
    durationMs: adapters.clock.now().getTime() - timing.started.getTime(),
  };
}

/** The failure of a rollout that did not complete: how ECS or CloudFormation ended it, or the timeout. */
async function unfinished(
  request: RolloutRequest,
  verdict: RolloutVerdict | undefined,
  watch: Watch & { previousImageTag: string; lastDeployment: Deployment | undefined },
  adapters: RolloutAdapters,
  log: ProgressLog,
): Promise<RolloutStop> {
  const { lastDeployment, stackName } = watch;
  const failedDeployment = verdict?.state === 'failed' ? verdict.deployment : undefined;
  const evidence = await gatherEvidence(
    stackName,
    watch.fleet,
    watch.since,
    lastDeployment ?? failedDeployment,
    adapters,
    log,
  );
  if (verdict?.state === 'failed') return new RolloutStop(verdict.kind, verdict.reason, evidence);
  const minutes = Math.round(request.timeoutMs / 60_000);
  const seen = lastDeployment ? ` (last seen: ${progressLine(lastDeployment)})` : '';
  let reason = `timed out after ${minutes} minute(s) waiting for ${request.imageTag} to reach rolloutState COMPLETED${seen}`;
  if (
    request.cancelOnTimeout &&
    watch.stackUpdated &&
    (await cancelStackUpdate(adapters.stacks, stackName)).cancelled
  ) {
    reason += `; cancelled the stack update, so CloudFormation rolls back to ${watch.previousImageTag || 'the previous image'}`;
  }
  return new RolloutStop('timeout', reason, evidence);
}

interface Watch extends Timing {
  fleet: FleetAdapter;
  imageTag: string;
  stackUpdated: boolean;
}

/** What following has seen so far. */
interface Followed {
  seenEvents: Set<string>;
  /** Service events seen while following, oldest first. */
  timeline: ServiceEvent[];
  lastLine: string;
  /** Polls in a row that showed nothing new (the interval grows with them). */
  quietPolls: number;
  verdict?: RolloutVerdict;
  lastDeployment?: Deployment;
}

/**
 * Polls until the rollout completes or fails, or the deadline passes (verdict then still waiting or in progress),
 * printing each new progress line and service event once.
 */
async function follow(watch: Watch, adapters: RolloutAdapters, log: ProgressLog): Promise<Followed> {
  const followed: Followed = { seenEvents: new Set(), timeline: [], lastLine: '', quietPolls: 0 };
  while (true) {
    let throttled = false;
    try {
      await poll(watch, followed, adapters, log);
      if (followed.verdict?.state === 'completed' || followed.verdict?.state === 'failed') return followed;
    } catch (error) {
      if (!isThrottling(error)) throw error;
      throttled = true;
      log.info(`AWS is throttling requests (${(error as Error).message}); polling more slowly`);
    }
    const left = watch.deadline - adapters.clock.now().getTime();
    if (left <= 0) return followed;
    await adapters.clock.sleep(Math.min(nextDelay(watch.policy, followed.quietPolls, throttled), left));
  }
}

/** One look at the stack and the service: new events and progress logged, the verdict recorded. */
async function poll(watch: Watch, followed: Followed, adapters: RolloutAdapters, log: ProgressLog) {
  const current = await adapters.stacks.describe(watch.stackName);
  const service = await watch.fleet.describeService();
  const images = await watch.fleet.containerImages(
    (service?.deployments ?? []).flatMap((d) => (d.taskDefinition ? [d.taskDefinition] : [])),
  );
  const fresh = logNewEvents(service?.events ?? [], followed, watch.since, log);
  const verdict = assessRollout(
    {
      stackStatus: current?.StackStatus ?? 'DELETED',
      ...(current?.StackStatusReason ? { stackStatusReason: current.StackStatusReason } : {}),
      ...(service ? { service } : {}),
      images,
    },
    { imageTag: watch.imageTag, stackUpdated: watch.stackUpdated },
  );
  followed.verdict = verdict;
  if (verdict.state === 'in-progress' || verdict.state === 'completed')
    followed.lastDeployment = verdict.deployment;
  const line = progressOf(verdict);
  if (line && line !== followed.lastLine) {
    log.info(`[${elapsed(watch.started, adapters.clock.now())}] ${line}`);
    followed.lastLine = line;
    followed.quietPolls = 0;
  } else {
    followed.quietPolls = fresh > 0 ? 0 : followed.quietPolls + 1;
  }
}

/** Logs each service event not seen before and adds it to the timeline; how many there were. */
function logNewEvents(
  events: readonly ServiceEvent[],
  followed: Followed,
  since: Date,
  log: ProgressLog,
): number {
  const fresh = unseenEvents(events, followed.seenEvents, since);
  for (const event of fresh) {
    if (event.id) followed.seenEvents.add(event.id);
    followed.timeline.push(event);
    log.info(`  event ${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`);
  }
  return fresh.length;
}

/** The progress line of a rollout still under way ('' once it has ended). */
function progressOf(verdict: RolloutVerdict): string {
  if (verdict.state === 'in-progress') return `deployment ${verdict.deployment.id ?? ''} ${verdict.detail}`;
  return verdict.state === 'waiting' ? verdict.detail : '';
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
        evidence.stackEvents = failedStackEvents(events);
      })
      .catch((error: unknown) => log.warning(`could not read stack events: ${String(error)}`)),
  ]);
  return evidence;
}
