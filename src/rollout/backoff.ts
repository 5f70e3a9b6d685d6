// Poll pacing: start at the configured interval, slow down while nothing changes, snap back when something does,
// and back off harder when AWS throttles.

export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export function backoffPolicy(pollIntervalMs: number): BackoffPolicy {
  return {
    initialMs: pollIntervalMs,
    maxMs: Math.max(pollIntervalMs, Math.min(pollIntervalMs * 4, 30_000)),
    factor: 1.5,
  };
}

/** Delay before the next poll, after `quietPolls` polls in a row that showed no change. */
export function nextDelay(policy: BackoffPolicy, quietPolls: number, throttled = false): number {
  const base = Math.min(policy.maxMs, policy.initialMs * policy.factor ** quietPolls);
  return throttled ? Math.min(policy.maxMs * 2, base * 2) : base;
}
