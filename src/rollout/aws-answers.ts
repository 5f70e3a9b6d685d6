// Reading what AWS answers, without I/O: SDK error names and throttling, a stack's outputs, parameters and whether
// CloudFormation is still working on it. Shared by the AWS adapters and the rollout use case.
import type { Stack, StackEvent } from '@aws-sdk/client-cloudformation';

/** Error name of an SDK exception (or undefined), without depending on each client's exception classes. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

export function isThrottling(error: unknown): boolean {
  const name = errorName(error) ?? '';
  return (
    ['ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded'].includes(
      name,
    ) ||
    (error instanceof Error && /rate exceeded/i.test(error.message))
  );
}

export function stackOutputs(stack: Stack): Record<string, string> {
  return Object.fromEntries(
    (stack.Outputs ?? []).filter((o) => o.OutputKey).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
  );
}

export function stackParameter(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

/** Statuses in which CloudFormation is still working on the stack. */
export function isStackBusy(status: string | undefined): boolean {
  return !!status && status.endsWith('_IN_PROGRESS');
}

/** The resources that failed, with CloudFormation's reason. */
export function failedStackEvents(events: readonly StackEvent[]): StackEvent[] {
  return events.filter((e) => e.ResourceStatus?.endsWith('_FAILED') && e.ResourceStatusReason);
}
