// Pure checks around a rollout: which stack and image tag, is the stack in a state to be updated, do the running
// tasks run the tag's digest, and how long it took, in words.
import type { Stack } from '@aws-sdk/client-cloudformation';
import type { Task } from '@aws-sdk/client-ecs';
import type { Environment } from '../config/model.ts';
import { IMAGE_TAG_PARAMETER } from '../contract/image-tags.ts';
import { stackNames } from '../contract/names.ts';
import { INGRESS_OUTPUTS } from '../contract/outputs.ts';
import { stackOutputs, stackParameter } from './aws-answers.ts';

/** The stack a rollout updates: the environment's Ingress stack. */
export function ingressStackName(environment: Environment): string {
  return stackNames(environment).ingress;
}

/** The image tag the stack runs ('' when it has none, or there is no stack). */
export function stackImageTag(stack: Stack | undefined): string {
  return (stack && stackParameter(stack, IMAGE_TAG_PARAMETER)) ?? '';
}

/** Why a settled stack cannot take the new tag (undefined: it can), and the service it runs. */
export function stackReadiness(
  stack: Stack,
  stackName: string,
): { refused: string } | { cluster: string; service: string } {
  if (stack.StackStatus?.endsWith('_FAILED')) {
    const reason = stack.StackStatusReason ? ` (${stack.StackStatusReason})` : '';
    const fix =
      stack.StackStatus === 'UPDATE_ROLLBACK_FAILED'
        ? 'Fix the resource named in the stack events, then run `aws cloudformation continue-update-rollback`.'
        : 'Inspect the stack events in the CloudFormation console.';
    return { refused: `stack ${stackName} is ${stack.StackStatus}${reason}; nothing was changed. ${fix}` };
  }
  const outputs = stackOutputs(stack);
  const cluster = outputs[INGRESS_OUTPUTS.cluster];
  const service = outputs[INGRESS_OUTPUTS.service];
  if (!cluster || !service) {
    return {
      refused: `stack ${stackName} has no ${INGRESS_OUTPUTS.cluster}/${INGRESS_OUTPUTS.service} outputs; deploy the current infrastructure with deploy-infra`,
    };
  }
  return { cluster, service };
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

export function elapsed(from: Date, to: Date): string {
  return formatDuration(to.getTime() - from.getTime());
}

/** "42s" or "3m07s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  return seconds < 60
    ? `${seconds}s`
    : `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, '0')}s`;
}
