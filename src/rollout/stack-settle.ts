// Ending a stack update that outlives its deadline, shared by the rollout and the cdk deploy: CancelUpdateStack
// makes CloudFormation roll the stack back to what it was, and waiting for that to settle leaves a stack the next
// deploy can update.
import type { Stack } from '@aws-sdk/client-cloudformation';
import { isStackBusy } from './aws-answers.ts';
import { type BackoffPolicy, nextDelay } from './backoff.ts';

/** The CloudFormation calls this needs (src/aws/cloudformation.ts). */
export interface StackControl {
  describe(name: string): Promise<Stack | undefined>;
  cancelUpdate(name: string): Promise<void>;
}

/** What waiting here needs of a clock; the operations' Clock (src/operations/ports.ts) is one. */
export interface WaitClock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/**
 * Cancels the stack's update if it is still UPDATE_IN_PROGRESS, the one state CloudFormation can cancel (a creation
 * cannot be: it ends in ROLLBACK_COMPLETE by itself). Returns the status it found and whether it cancelled.
 */
export async function cancelStackUpdate(
  stacks: StackControl,
  name: string,
): Promise<{ cancelled: boolean; status?: string }> {
  const status = (await stacks.describe(name))?.StackStatus;
  if (status !== 'UPDATE_IN_PROGRESS') return { cancelled: false, ...(status ? { status } : {}) };
  await stacks.cancelUpdate(name);
  return { cancelled: true, status };
}

/** Polls until the stack is no longer *_IN_PROGRESS (or is gone), or the deadline (epoch ms) passes. */
export async function waitForSettledStack(
  name: string,
  stacks: Pick<StackControl, 'describe'>,
  clock: WaitClock,
  deadline: number,
  policy: BackoffPolicy,
): Promise<Stack | undefined> {
  let stack: Stack | undefined;
  for (let polls = 0; ; polls++) {
    await clock.sleep(Math.min(nextDelay(policy, polls), Math.max(0, deadline - clock.now().getTime())));
    stack = await stacks.describe(name);
    if (!stack || !isStackBusy(stack.StackStatus) || clock.now().getTime() >= deadline) return stack;
  }
}
