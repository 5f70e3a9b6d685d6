// Rolls the Ingress stack to an image tag and follows it to the end. Shared by the rollout and rollback actions:
// UpdateStack(UsePreviousTemplate, ImageTag=<tag>), then poll the stack and the ECS service until the new
// deployment's rolloutState is COMPLETED and the stack UPDATE_COMPLETE, printing progress and new service events
// once each; on a circuit-breaker or stack rollback, a stale service or the timeout, fail with the evidence.
// Finally check that every running proxy task runs the registry's digest for the tag.
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Deployment, Task } from '@aws-sdk/client-ecs';
import { INGRESS_OUTPUTS } from '../../infra/outputs.ts';
import { isThrottling } from '../aws/clients.ts';
import { isStackBusy, type Stacks, stackOutputs, stackParameter } from '../aws/cloudformation.ts';
import type { Registry, RegistryImage } from '../aws/ecr.ts';
import type { Fleet } from '../aws/ecs.ts';
import type { DeploymentLog } from '../aws/github-deployments.ts';
import { type Environment, IMAGE_TAG_PARAMETER, stackNames } from '../config/model.ts';
import { type BackoffPolicy, backoffPolicy, nextDelay } from '../rollout/backoff.ts';
import { type FailureEvidence, failureLogLines, failureMarkdown } from '../rollout/failure-report.ts';
import { assessRollout, progressLine, type RolloutVerdict, unseenEvents } from '../rollout/service-state.ts';
import type { ActionIO } from './io.ts';
import { code, details, table } from './markdown.ts';
import { ActionFailure } from './run.ts';

export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RolloutPorts {
  stacks: Stacks;
  registry: Registry;
  fleet(cluster: string, service: string): Fleet;
  /** Absent when no GitHub token was given: nothing is recorded. */
  deployments?: DeploymentLog;
  clock: Clock;
}

export interface RolloutRequest {
  environment: Environment;
  /** GitHub environment the deployment is recorded under. */
  githubEnvironment: string;
  imageTag: string;
  /** Commit the GitHub deployment is recorded against. */
  sha: string;
  description: string;
  timeoutMs: number;
  pollIntervalMs: number;
  /** Cancel the stack update when the timeout passes, so CloudFormation rolls back instead of carrying on. */
  cancelOnTimeout: boolean;
  /** Link to the workflow run. */
  logUrl: string;
  /** Heading of the job summary section, e.g. "Rollout" or "Rollback". */
  title: string;
  /** Extra rows for the summary table (who, why, ...). */
  context?: [string, string][];
}

export interface RolloutResult {
  deploymentId?: number;
  imageDigest: string;
  previousImageTag: string;
  taskDefinitionArn: string;
  verifiedTasks: number;
  /** false when the stack already had this tag (the service was verified, nothing changed). */
  changed: boolean;
}

/** Allowance for the difference between the runner's clock and AWS's when filtering events by time. */
const CLOCK_SKEW_MS = 60_000;

export async function rollOut(
  request: RolloutRequest,
  ports: RolloutPorts,
  io: ActionIO,
): Promise<RolloutResult> {
  const { environment, imageTag } = request;
  const stackName = stackNames(environment).ingress;
  const started = ports.clock.now();
  const deadline = started.getTime() + request.timeoutMs;
  const since = new Date(started.getTime() - CLOCK_SKEW_MS);
  const policy = backoffPolicy(request.pollIntervalMs);
  const rows: [string, string][] = [['Environment', code(environment.name)], ...(request.context ?? [])];

  let deploymentId: number | undefined;
  const fail = async (reason: string, evidence?: Omit<FailureEvidence, 'reason'>): Promise<never> => {
    const full: FailureEvidence = {
      reason,
      serviceEvents: [],
      stoppedTasks: [],
      stackEvents: [],
      ...evidence,
    };
    for (const line of failureLogLines(full)) io.info(line);
    await io.appendSummary(
      `## ${request.title} of ${code(imageTag)} failed\n\n${table(['', ''], rows)}\n\n${failureMarkdown(full)}\n`,
    );
    if (deploymentId !== undefined && ports.deployments) {
      await ports.deployments
        .setStatus(deploymentId, 'failure', { description: reason, logUrl: request.logUrl })
        .catch((error: unknown) =>
          io.warning(`could not record the failure on GitHub deployment ${deploymentId}: ${String(error)}`),
        );
    }
    throw new ActionFailure(reason);
  };

  // 1. Look the image up, then record the attempt on GitHub before anything can fail, so that every failed
  //    rollout is the newest deployment in the history and `rollback previous` goes to what is really running.
  const image = await ports.registry.findImage(imageTag);
  deploymentId = await recordDeployment(request, image, ports, io);
  if (!image) {
    const newest = (await ports.registry.listTags(100)).slice(0, 5);
    return fail(
      `image ${ports.registry.repositoryName}:${imageTag} does not exist in ECR; nothing was changed. Newest tags: ${newest.join(', ') || 'none (the repository is empty)'}`,
    );
  }
  rows.push(['Image digest', code(image.digest)]);

  // 2. The stack must exist and be settled (a previous update may still be finishing or rolling back).
  let stack = await ports.stacks.describe(stackName);
  if (!stack)
    return fail(`stack ${stackName} does not exist; run deploy-infra for ${environment.name} first`);
  if (isStackBusy(stack.StackStatus)) {
    io.info(`Stack ${stackName} is ${stack.StackStatus}; waiting for it to settle before updating`);
    stack = await waitForSettledStack(stackName, ports, deadline, policy);
    if (!stack || isStackBusy(stack.StackStatus)) {
      return fail(
        `stack ${stackName} stayed ${stack?.StackStatus ?? 'missing'} until the timeout; nothing was changed`,
      );
    }
  }
  if (stack.StackStatus?.endsWith('_FAILED')) {
    return fail(
      `stack ${stackName} is ${stack.StackStatus}${stack.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}; nothing was changed. ${stack.StackStatus === 'UPDATE_ROLLBACK_FAILED' ? 'Fix the resource named in the stack events, then run `aws cloudformation continue-update-rollback`.' : 'Inspect the stack events in the CloudFormation console.'}`,
    );
  }
  const previousImageTag = stackParameter(stack, IMAGE_TAG_PARAMETER) ?? '';
  const outputs = stackOutputs(stack);
  const cluster = outputs[INGRESS_OUTPUTS.cluster];
  const serviceName = outputs[INGRESS_OUTPUTS.service];
  if (!cluster || !serviceName) {
    return fail(
      `stack ${stackName} has no ${INGRESS_OUTPUTS.cluster}/${INGRESS_OUTPUTS.service} outputs; deploy the current infrastructure with deploy-infra`,
    );
  }
  const fleet = ports.fleet(cluster, serviceName);
  rows.push(
    ['Image tag', `${code(previousImageTag || 'none')} → ${code(imageTag)}`],
    ['Service', code(`${cluster}/${serviceName}`)],
  );

  // 3. Point the stack at the new tag.
  const changed = await ports.stacks.updateParameter(stack, IMAGE_TAG_PARAMETER, imageTag);
  io.info(
    changed
      ? `Updating ${stackName}: ${IMAGE_TAG_PARAMETER} ${previousImageTag || '(none)'} -> ${imageTag}`
      : `${stackName} already has ${IMAGE_TAG_PARAMETER}=${imageTag} (CloudFormation: no updates are to be performed); verifying the service`,
  );

  // 4. Follow the stack and the service.
  const { verdict, lastDeployment, timeline } = await follow(
    { stackName, fleet, imageTag, stackUpdated: changed, started, since, deadline, policy },
    ports,
    io,
  );

  if (verdict?.state !== 'completed') {
    const evidence = await gatherEvidence(
      stackName,
      fleet,
      since,
      lastDeployment ?? (verdict?.state === 'failed' ? verdict.deployment : undefined),
      ports,
      io,
    );
    if (verdict?.state === 'failed') return fail(verdict.reason, evidence);
    const minutes = Math.round(request.timeoutMs / 60_000);
    const progress = lastDeployment ? ` (last seen: ${progressLine(lastDeployment)})` : '';
    let reason = `timed out after ${minutes} minute(s) waiting for ${imageTag} to reach rolloutState COMPLETED${progress}`;
    if (request.cancelOnTimeout && changed) {
      const status = (await ports.stacks.describe(stackName))?.StackStatus;
      if (status === 'UPDATE_IN_PROGRESS') {
        await ports.stacks.cancelUpdate(stackName);
        reason += `; cancelled the stack update, so CloudFormation rolls back to ${previousImageTag || 'the previous image'}`;
      }
    }
    return fail(reason, evidence);
  }

  // 5. The running tasks must run exactly the image the tag names in the registry.
  const deployment = verdict.deployment;
  const taskDefinitionArn = deployment.taskDefinition ?? '';
  const running = (await fleet.tasks('RUNNING')).filter((t) => t.lastStatus === 'RUNNING');
  const mismatch = digestMismatches(running, image.digest, ports.registry.repositoryName);
  if (running.length === 0 || mismatch.length > 0) {
    const reason =
      running.length === 0
        ? `the deployment completed but no proxy task is RUNNING, so the image digest could not be verified`
        : `${mismatch.length} running task(s) do not run ${image.digest} (${imageTag}): ${mismatch.join('; ')}`;
    return fail(reason, await gatherEvidence(stackName, fleet, since, deployment, ports, io));
  }
  io.info(`Verified ${running.length} running task(s) use ${image.digest}`);

  if (deploymentId !== undefined && ports.deployments) {
    await ports.deployments
      .setStatus(deploymentId, 'success', { description: `${imageTag} is running`, logUrl: request.logUrl })
      .catch((error: unknown) =>
        io.warning(`could not record success on GitHub deployment ${deploymentId}: ${String(error)}`),
      );
  }
  rows.push(
    ['Task definition', code(taskDefinitionArn.split('/').pop() ?? taskDefinitionArn)],
    ['Tasks verified', `${running.length} running, all on the digest above`],
    ['Duration', elapsed(started, ports.clock.now())],
    ...(deploymentId !== undefined
      ? ([['GitHub deployment', String(deploymentId)]] as [string, string][])
      : []),
  );
  const outcome = changed
    ? `✅ ${code(imageTag)} is running`
    : `✅ already on ${code(imageTag)}; service verified`;
  const events =
    timeline.length > 0
      ? details(`Service events (${timeline.length})`, table(['Time', 'Event'], timeline))
      : '';
  await io.appendSummary(`## ${request.title}: ${outcome}\n\n${table(['', ''], rows)}\n\n${events}`);
  return {
    ...(deploymentId !== undefined ? { deploymentId } : {}),
    imageDigest: image.digest,
    previousImageTag,
    taskDefinitionArn,
    verifiedTasks: running.length,
    changed,
  };
}

interface Watch {
  stackName: string;
  fleet: Fleet;
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
async function follow(watch: Watch, ports: RolloutPorts, io: ActionIO) {
  const seenEvents = new Set<string>();
  const timeline: string[][] = [];
  let lastLine = '';
  let quietPolls = 0;
  let throttled = false;
  let verdict: RolloutVerdict | undefined;
  let lastDeployment: Deployment | undefined;
  while (true) {
    try {
      const current = await ports.stacks.describe(watch.stackName);
      const service = await watch.fleet.describeService();
      const images = await watch.fleet.containerImages(
        (service?.deployments ?? []).flatMap((d) => (d.taskDefinition ? [d.taskDefinition] : [])),
      );
      throttled = false;
      const fresh = unseenEvents(service?.events ?? [], seenEvents, watch.since);
      for (const event of fresh) {
        if (event.id) seenEvents.add(event.id);
        timeline.push([event.createdAt?.toISOString() ?? '', event.message ?? '']);
        io.info(`  event ${event.createdAt?.toISOString() ?? ''} ${event.message ?? ''}`);
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
        io.info(`[${elapsed(watch.started, ports.clock.now())}] ${line}`);
        lastLine = line;
        quietPolls = 0;
      } else {
        quietPolls = fresh.length > 0 ? 0 : quietPolls + 1;
      }
      if (verdict.state === 'completed' || verdict.state === 'failed') break;
    } catch (error) {
      if (!isThrottling(error)) throw error;
      throttled = true;
      io.info(`AWS is throttling requests (${(error as Error).message}); polling more slowly`);
    }
    if (ports.clock.now().getTime() >= watch.deadline) break;
    const delay = Math.min(
      nextDelay(watch.policy, quietPolls, throttled),
      Math.max(0, watch.deadline - ports.clock.now().getTime()),
    );
    await ports.clock.sleep(delay);
  }

  return { verdict, lastDeployment, timeline };
}

async function waitForSettledStack(
  name: string,
  ports: RolloutPorts,
  deadline: number,
  policy: BackoffPolicy,
) {
  let stack: Stack | undefined;
  for (let polls = 0; ; polls++) {
    await ports.clock.sleep(nextDelay(policy, polls));
    stack = await ports.stacks.describe(name);
    if (!stack || !isStackBusy(stack.StackStatus) || ports.clock.now().getTime() >= deadline) return stack;
  }
}

async function recordDeployment(
  request: RolloutRequest,
  image: RegistryImage | undefined,
  ports: RolloutPorts,
  io: ActionIO,
): Promise<number | undefined> {
  if (!ports.deployments) {
    io.info('No GitHub token: the deployment is not recorded on GitHub');
    return undefined;
  }
  try {
    const id = await ports.deployments.create({
      environment: request.githubEnvironment,
      sha: request.sha,
      payload: { imageTag: request.imageTag, ...(image ? { digest: image.digest } : {}) },
      description: request.description,
    });
    await ports.deployments.setStatus(id, 'in_progress', {
      description: `rolling out ${request.imageTag}`,
      logUrl: request.logUrl,
    });
    io.info(`Recorded GitHub deployment ${id} for environment ${request.githubEnvironment}`);
    return id;
  } catch (error) {
    io.warning(
      `could not record a GitHub deployment (${error instanceof Error ? error.message : String(error)}); rolling out anyway. The workflow needs permissions: deployments: write`,
    );
    return undefined;
  }
}

/** Service events since the start, stopped tasks of the new deployment, and failed stack resources. */
async function gatherEvidence(
  stackName: string,
  fleet: Fleet,
  since: Date,
  deployment: Deployment | undefined,
  ports: RolloutPorts,
  io: ActionIO,
): Promise<Omit<FailureEvidence, 'reason'>> {
  const evidence: Omit<FailureEvidence, 'reason'> = { serviceEvents: [], stoppedTasks: [], stackEvents: [] };
  // Each source is best effort: a failure to read one must not hide the others or the original reason.
  await Promise.all([
    fleet
      .describeService()
      .then((service) => {
        evidence.serviceEvents = unseenEvents(service?.events ?? [], new Set(), since);
      })
      .catch((error: unknown) => io.warning(`could not read service events: ${String(error)}`)),
    fleet
      .tasks('STOPPED', 20)
      .then((tasks) => {
        evidence.stoppedTasks = tasks
          .filter((t) => !deployment?.taskDefinition || t.taskDefinitionArn === deployment.taskDefinition)
          .filter((t) => (t.stoppedAt?.getTime() ?? t.createdAt?.getTime() ?? 0) >= since.getTime())
          .slice(0, 10);
      })
      .catch((error: unknown) => io.warning(`could not read stopped tasks: ${String(error)}`)),
    ports.stacks
      .eventsSince(stackName, since)
      .then((events) => {
        evidence.stackEvents = events;
      })
      .catch((error: unknown) => io.warning(`could not read stack events: ${String(error)}`)),
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
  const seconds = Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
