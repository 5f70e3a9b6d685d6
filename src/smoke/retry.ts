// Retrying while a rollout settles: exponential backoff with jitter, bounded by a number of attempts and by a total
// time budget. The schedule is pure; the loop takes its clock and sleep from the caller so tests need no timers.

export interface RetryPolicy {
  /** At most this many attempts (the first one included). */
  attempts: number;
  /** Delay before the second attempt; it doubles after each failure up to maxDelayMs. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** No attempt starts later than this after the first one (default: no limit besides attempts). */
  budgetMs?: number;
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1). "Equal jitter": half of the exponential delay is
 * fixed and half random, so concurrent checks spread out but every wait still grows.
 */
export function backoffDelay(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface RetryOutcome<T> {
  value: T;
  attempts: number;
}

/**
 * Calls `attempt` until `settled(value)` is true, the attempts are used up, or the next attempt would start after
 * the budget; returns the last value. `attempt` receives the time left in the budget so it can bound itself.
 */
export async function retryUntil<T>(
  attempt: (remainingMs: number) => Promise<T>,
  settled: (value: T) => boolean,
  policy: RetryPolicy,
  clock: Clock = systemClock,
  random: () => number = Math.random,
): Promise<RetryOutcome<T>> {
  const deadline = clock.now() + (policy.budgetMs ?? Number.POSITIVE_INFINITY);
  for (let count = 1; ; count++) {
    const value = await attempt(deadline - clock.now());
    if (settled(value) || count >= policy.attempts) return { value, attempts: count };
    const delay = backoffDelay(count, policy, random);
    if (clock.now() + delay >= deadline) return { value, attempts: count };
    await clock.sleep(delay);
  }
}
