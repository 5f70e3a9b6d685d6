// The deploy-infra use case: `cdk deploy` (or `cdk diff` for previews) of an environment's stacks. The Ingress
// stack's ImageTag is the request's image tag when given: required to create the stack, so the service never starts
// without an image; on an existing stack it rolls the service out in the same CloudFormation update as any template
// change. Without it an existing stack keeps its ImageTag.
// The rollout happens inside that update, and a deployment that never settles (tasks that cannot be placed) would
// keep `cdk deploy` waiting until the job is killed, leaving the stack UPDATE_IN_PROGRESS. So cdk deploy has a
// deadline: past it, the process is stopped, the Ingress stack's update cancelled (CloudFormation rolls it back) and
// the rollback awaited for a bounded time, and the outcome says what state the stack was left in.
// It never throws: refusals, cdk failures, the deadline and AWS errors all come back as outcomes with evidence.
import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG_PARAMETER } from '../contract/image-tags.ts';
import { stackNames } from '../contract/names.ts';
import { INGRESS_OUTPUTS, REGISTRY_OUTPUTS } from '../contract/outputs.ts';
import { errorName, failedStackEvents, stackOutputs, stackParameter } from '../rollout/aws-answers.ts';
import { backoffPolicy } from '../rollout/backoff.ts';
import { cancelStackUpdate, type StackControl, waitForSettledStack } from '../rollout/stack-settle.ts';
import type { Clock, CommandResult } from './ports.ts';

export const STACK_CHOICES = ['registry', 'ingress', 'all'] as const;
export type StackChoice = (typeof STACK_CHOICES)[number];

/** The CloudFormation calls the operation makes (src/aws/cloudformation.ts). */
export interface StackPort extends StackControl {
  eventsSince(name: string, since: Date): Promise<StackEvent[]>;
}

/** Runs the CDK CLI with these arguments, stopping it after `timeoutMs` (the result then says timedOut). */
export type CdkPort = (args: readonly string[], options?: { timeoutMs?: number }) => Promise<CommandResult>;

export interface DeployInfraPorts {
  stacks: StackPort;
  cdk: CdkPort;
  /** The JSON `cdk deploy --outputs-file` wrote. */
  readOutputs(path: string): Promise<StackOutputs>;
  clock: Clock;
  log: (message: string) => void;
}

export interface DeployInfraRequest {
  environment: Environment;
  stacks: StackChoice;
  mode: 'deploy' | 'diff';
  imageTag?: string;
  /** How long cdk deploy may run before its update is cancelled. */
  timeoutMs: number;
  /** How long to wait for CloudFormation's rollback after cancelling. */
  rollbackWaitMs: number;
  pollIntervalMs: number;
  /** Where cdk deploy writes the stack outputs. */
  outputsFile: string;
}

/** CloudFormation outputs per stack: {"<stack>": {"<OutputKey>": "<value>"}}. */
export type StackOutputs = Record<string, Record<string, string>>;

/**
 * What this deploy did to the proxy service, from the Ingress stack's events: `none` (the ECS service resource was
 * not updated), `completed` (it was created or updated, so the fleet was rolled out), or `rolled-back` (the update
 * started an ECS deployment that was rolled back: the circuit breaker tripped, or the update was cancelled).
 */
export type ServiceRollout = 'none' | 'completed' | 'rolled-back';

export interface StackChange {
  stack: string;
  status: string;
  change: 'created' | 'updated' | 'no changes';
}

/** The Ingress update cancelled at the deadline, and where its rollback got. */
export interface Cancellation {
  stack: string;
  cancelled: boolean;
  /** The stack's status when the wait ended (UPDATE_ROLLBACK_COMPLETE when all went well). */
  status: string;
  /** false when the rollback was still running when the wait ended. */
  settled: boolean;
}

export type DeployInfraOutcome =
  | { state: 'refused'; reason: string }
  | {
      state: 'deployed';
      changes: StackChange[];
      outputs: StackOutputs;
      changed: boolean;
      serviceRollout: ServiceRollout;
    }
  | { state: 'diffed'; text: string; changed: boolean; stacks: string[]; outputs: StackOutputs }
  | {
      state: 'failed';
      kind: 'cdk' | 'timeout' | 'error';
      reason: string;
      serviceRollout: ServiceRollout;
      /** Failed resources, with their stack. */
      failures: { stack: string; event: StackEvent }[];
      /** The last lines cdk printed. */
      tail: string;
      cancellation?: Cancellation;
      error?: unknown;
    };

/** The stacks deployed for a choice, in dependency order (CDK also orders them). */
export function selectedStacks(env: Environment, choice: StackChoice): string[] {
  const names = stackNames(env);
  if (choice === 'registry') return [names.registry];
  const ingress = env.exampleProvider ? [names.example, names.ingress] : [names.ingress];
  return choice === 'ingress' ? ingress : [names.registry, ...ingress];
}

/** The action outputs named in action.yml, from every selected stack's CloudFormation outputs. */
export function actionOutputs(env: Environment, outputs: StackOutputs) {
  const names = stackNames(env);
  const ingress = outputs[names.ingress] ?? {};
  const registry = outputs[names.registry] ?? {};
  return {
    'public-endpoint': ingress[INGRESS_OUTPUTS.publicEndpoint] ?? '',
    'private-endpoint': ingress[INGRESS_OUTPUTS.privateEndpoint] ?? '',
    cluster: ingress[INGRESS_OUTPUTS.cluster] ?? '',
    service: ingress[INGRESS_OUTPUTS.service] ?? '',
    'repository-uri':
      registry[REGISTRY_OUTPUTS.repositoryUri] ?? ingress[INGRESS_OUTPUTS.repositoryUri] ?? '',
  };
}

/** "Number of stacks with differences: 2" at the end of `cdk diff`; per-stack markers as a fallback. */
export function diffHasChanges(output: string): boolean {
  const count = /Number of stacks with differences:\s*(\d+)/.exec(output);
  if (count) return Number(count[1]) > 0;
  return /^\s*\[[~+-]\]/m.test(output);
}

const CIRCUIT_BREAKER = /circuit breaker/i;
const isService = (e: StackEvent) => e.ResourceType === 'AWS::ECS::Service';

export function serviceRollout(events: readonly StackEvent[]): ServiceRollout {
  const service = events.filter(isService);
  const tripped = service.some(
    (e) => e.ResourceStatus?.endsWith('_FAILED') && CIRCUIT_BREAKER.test(e.ResourceStatusReason ?? ''),
  );
  if (tripped) return 'rolled-back';
  return service.some((e) => e.ResourceStatus === 'CREATE_COMPLETE' || e.ResourceStatus === 'UPDATE_COMPLETE')
    ? 'completed'
    : 'none';
}

/** Allowance for the runner's clock being ahead of CloudFormation's when picking this deploy's events. */
const CLOCK_SKEW_MS = 60_000;

export async function deployInfra(
  request: DeployInfraRequest,
  ports: DeployInfraPorts,
): Promise<DeployInfraOutcome> {
  const stacks = selectedStacks(request.environment, request.stacks);
  try {
    const before = new Map<string, Stack | undefined>();
    for (const name of stacks) before.set(name, await ports.stacks.describe(name));
    const plan = imageTagArguments(request, before, ports.log);
    if ('refused' in plan) return { state: 'refused', reason: plan.refused };
    return request.mode === 'diff'
      ? await diff(ports, stacks, plan.args)
      : await deploy(request, ports, before, plan.args);
  } catch (error) {
    const name = errorName(error);
    const message = error instanceof Error ? error.message : String(error);
    const reason = `${name && name !== 'Error' ? `${name}: ` : ''}${message}`;
    return { state: 'failed', kind: 'error', reason, serviceRollout: 'none', failures: [], tail: '', error };
  }
}

/** ImageTag is passed when given; without it an existing Ingress stack keeps its value (--previous-parameters). */
function imageTagArguments(
  request: DeployInfraRequest,
  before: ReadonlyMap<string, Stack | undefined>,
  log: (message: string) => void,
): { args: string[] } | { refused: string } {
  const ingressName = stackNames(request.environment).ingress;
  if (!before.has(ingressName)) return { args: [] };
  const ingress = before.get(ingressName);
  if (!ingress && !request.imageTag && request.mode === 'deploy') {
    return {
      refused: `${ingressName} does not exist yet: give image-tag (build-push's image-tag output) so the new service starts with an image`,
    };
  }
  if (ingress?.StackStatus === 'ROLLBACK_COMPLETE') {
    return {
      refused: `${ingressName} is ROLLBACK_COMPLETE (its creation failed) and cannot be updated; delete it, then deploy again`,
    };
  }
  if (ingress) {
    const current = stackParameter(ingress, IMAGE_TAG_PARAMETER) ?? '?';
    log(
      request.imageTag && request.imageTag !== current
        ? `${ingressName} exists: ${IMAGE_TAG_PARAMETER} ${current} -> ${request.imageTag} in this update (it rolls the service out)`
        : `${ingressName} exists: keeping ${IMAGE_TAG_PARAMETER}=${current}`,
    );
  }
  return {
    args: request.imageTag
      ? ['--parameters', `${ingressName}:${IMAGE_TAG_PARAMETER}=${request.imageTag}`]
      : [],
  };
}

async function diff(
  ports: DeployInfraPorts,
  stacks: string[],
  parameters: string[],
): Promise<DeployInfraOutcome> {
  // Without a change set the preview role only needs to read templates, with its own credentials (it may not
  // assume the CDK lookup role, which reads the whole account).
  const result = await ports.cdk(['diff', ...stacks, '--no-change-set', '--no-color', ...parameters]);
  const text = `${result.stdout}\n${result.stderr}`.trim();
  if (result.exitCode !== 0) {
    return {
      state: 'failed',
      kind: 'cdk',
      reason: `cdk diff failed (exit ${result.exitCode}); the last lines are in the job summary`,
      serviceRollout: 'none',
      failures: [],
      tail: lastLines(text, 30),
    };
  }
  const outputs: StackOutputs = {};
  for (const name of stacks) {
    const stack = await ports.stacks.describe(name);
    if (stack) outputs[name] = stackOutputs(stack);
  }
  return { state: 'diffed', text, changed: diffHasChanges(text), stacks, outputs };
}

async function deploy(
  request: DeployInfraRequest,
  ports: DeployInfraPorts,
  before: ReadonlyMap<string, Stack | undefined>,
  parameters: string[],
): Promise<DeployInfraOutcome> {
  const stacks = [...before.keys()];
  const args = ['deploy', ...stacks, '--require-approval', 'never', '--ci', '--no-color'];
  args.push('--progress', 'events', '--previous-parameters', 'true', '--outputs-file', request.outputsFile);
  const since = new Date(ports.clock.now().getTime() - CLOCK_SKEW_MS);
  const result = await ports.cdk([...args, ...parameters], { timeoutMs: request.timeoutMs });
  if (result.timedOut || result.exitCode !== 0) return deployFailed(request, ports, stacks, since, result);

  const outputs = await ports.readOutputs(request.outputsFile);
  const changes: StackChange[] = [];
  for (const name of stacks)
    changes.push(stackChange(name, before.get(name), await ports.stacks.describe(name)));
  const ingressName = stackNames(request.environment).ingress;
  const ingressChanged = changes.some((c) => c.stack === ingressName && c.change !== 'no changes');
  return {
    state: 'deployed',
    changes,
    outputs,
    changed: changes.some((c) => c.change !== 'no changes'),
    serviceRollout: ingressChanged ? serviceRollout(await eventsOf(ports, ingressName, since)) : 'none',
  };
}

function stackChange(stack: string, was: Stack | undefined, after: Stack | undefined): StackChange {
  const updated = (after?.LastUpdatedTime?.getTime() ?? 0) !== (was?.LastUpdatedTime?.getTime() ?? 0);
  return {
    stack,
    status: after?.StackStatus ?? 'unknown',
    change: !was ? 'created' : updated ? 'updated' : 'no changes',
  };
}

const eventsOf = (ports: DeployInfraPorts, name: string, since: Date) =>
  ports.stacks.eventsSince(name, since).catch(() => [] as StackEvent[]);

/** Failed resources of every stack, and what happened to the service, since the deploy started. */
async function evidence(ports: DeployInfraPorts, stacks: string[], ingressName: string, since: Date) {
  const failures: { stack: string; event: StackEvent }[] = [];
  let ingressEvents: StackEvent[] = [];
  for (const stack of stacks) {
    const events = await eventsOf(ports, stack, since);
    if (stack === ingressName) ingressEvents = events;
    for (const event of failedStackEvents(events)) failures.push({ stack, event });
  }
  return { failures, ingressEvents };
}

type Failed = Extract<DeployInfraOutcome, { state: 'failed' }>;
type Verdict = Pick<Failed, 'kind' | 'reason' | 'serviceRollout'>;

/** A cdk deploy that failed or outran its deadline (then the Ingress update is cancelled first), with evidence. */
async function deployFailed(
  request: DeployInfraRequest,
  ports: DeployInfraPorts,
  stacks: string[],
  since: Date,
  result: CommandResult,
): Promise<DeployInfraOutcome> {
  const ingressName = stackNames(request.environment).ingress;
  // Only the Ingress update waits on something that may never settle (the ECS deployment); it is the one cancelled.
  const cancellation =
    result.timedOut && stacks.includes(ingressName)
      ? await cancelAndWait(request, ports, ingressName)
      : undefined;
  const { failures, ingressEvents } = await evidence(ports, stacks, ingressName, since);
  const verdict = result.timedOut
    ? timeoutVerdict(request.timeoutMs, ingressEvents, cancellation)
    : cdkVerdict(result.exitCode, ingressEvents, failures[0]?.event);
  return {
    state: 'failed',
    ...verdict,
    failures,
    tail: lastLines(`${result.stdout}\n${result.stderr}`, 20),
    ...(cancellation ? { cancellation } : {}),
  };
}

function cdkVerdict(exitCode: number, ingressEvents: StackEvent[], first?: StackEvent): Verdict {
  const rollout = serviceRollout(ingressEvents);
  const breaker =
    rollout === 'rolled-back'
      ? ' after the ECS deployment circuit breaker rolled the proxy service back'
      : '';
  const detail = first
    ? `: ${first.LogicalResourceId} ${first.ResourceStatus}: ${first.ResourceStatusReason}`
    : '';
  return {
    kind: 'cdk',
    reason: `cdk deploy failed (exit ${exitCode})${breaker}${detail}`,
    serviceRollout: rollout,
  };
}

function timeoutVerdict(
  timeoutMs: number,
  ingressEvents: StackEvent[],
  cancellation?: Cancellation,
): Verdict {
  const minutes = Math.round((timeoutMs / 60_000) * 100) / 100;
  const cancelled = cancellation ? `; ${describeCancellation(cancellation)}` : '';
  // A cancelled update of the service puts its previous task definition back.
  const touched = cancellation?.cancelled && ingressEvents.some(isService);
  return {
    kind: 'timeout',
    reason: `cdk deploy did not finish within ${minutes} minute(s)${cancelled}`,
    serviceRollout: touched ? 'rolled-back' : serviceRollout(ingressEvents),
  };
}

async function cancelAndWait(
  request: DeployInfraRequest,
  ports: DeployInfraPorts,
  stack: string,
): Promise<Cancellation> {
  const { cancelled, status } = await cancelStackUpdate(ports.stacks, stack);
  if (cancelled) ports.log(`Cancelled the update of ${stack}; waiting for CloudFormation to roll it back`);
  const deadline = ports.clock.now().getTime() + request.rollbackWaitMs;
  const settled = cancelled
    ? await waitForSettledStack(
        stack,
        ports.stacks,
        ports.clock,
        deadline,
        backoffPolicy(request.pollIntervalMs),
      )
    : undefined;
  const final = settled?.StackStatus ?? status ?? 'missing';
  return { stack, cancelled, status: final, settled: !final.endsWith('_IN_PROGRESS') };
}

function describeCancellation(c: Cancellation): string {
  if (!c.cancelled) {
    return c.settled
      ? `${c.stack} was ${c.status}: no update of it to cancel`
      : `${c.stack} was ${c.status}, which cannot be cancelled`;
  }
  if (!c.settled)
    return `cancelled the update of ${c.stack}; its rollback was still ${c.status} when the wait ended`;
  if (c.status === 'UPDATE_ROLLBACK_COMPLETE') {
    return `cancelled the update of ${c.stack}; CloudFormation rolled it back (UPDATE_ROLLBACK_COMPLETE), so the next deploy can update it`;
  }
  return `cancelled the update of ${c.stack}; it ended ${c.status}`;
}

function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n');
}
