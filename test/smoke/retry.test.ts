import { describe, expect, it } from 'vitest';
import { backoffDelay, type Clock, type RetryPolicy, retryUntil } from '../../src/smoke/retry.ts';

const policy: RetryPolicy = { attempts: 6, initialDelayMs: 1_000, maxDelayMs: 8_000 };

/** A clock that only moves when slept on, recording each sleep. */
function fakeClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the maximum, half of it jittered', () => {
    const low = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => 0));
    const high = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, policy, () => 1));
    expect(low).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
    expect(high).toEqual([1_000, 2_000, 4_000, 8_000, 8_000]);
  });

  it('stays within [half, full] of the exponential delay for any random value', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(3, policy);
      expect(delay).toBeGreaterThanOrEqual(2_000);
      expect(delay).toBeLessThanOrEqual(4_000);
    }
  });
});

describe('retryUntil', () => {
  it('stops at the first settled value', async () => {
    const clock = fakeClock();
    const values = [500, 503, 200, 200];
    const outcome = await retryUntil(
      async () => values.shift(),
      (status) => status === 200,
      policy,
      clock,
      () => 1,
    );
    expect(outcome).toEqual({ value: 200, attempts: 3 });
    expect(clock.slept).toEqual([1_000, 2_000]);
  });

  it('gives up after the attempts and returns the last value', async () => {
    const clock = fakeClock();
    let calls = 0;
    const outcome = await retryUntil(
      async () => ++calls,
      () => false,
      { ...policy, attempts: 4 },
      clock,
    );
    expect(outcome).toEqual({ value: 4, attempts: 4 });
    expect(clock.slept).toHaveLength(3);
  });

  it('does not start an attempt after the budget, and tells each attempt what is left', async () => {
    const clock = fakeClock();
    const remaining: number[] = [];
    const outcome = await retryUntil(
      async (left) => {
        remaining.push(left);
        return 'not yet';
      },
      () => false,
      { ...policy, attempts: 100, budgetMs: 5_000 },
      clock,
      () => 1,
    );
    // Sleeps of 1000 and 2000 fit in 5 s; the next (4000) would end after the budget.
    expect(clock.slept).toEqual([1_000, 2_000]);
    expect(outcome.attempts).toBe(3);
    expect(remaining).toEqual([5_000, 4_000, 2_000]);
  });
});
