import { describe, expect, it } from 'vitest';
import { backoffPolicy, nextDelay } from './backoff.ts';

describe('poll backoff', () => {
  it('starts at the interval, grows while nothing changes, and stays under the cap', () => {
    const policy = backoffPolicy(10_000);
    expect(nextDelay(policy, 0)).toBe(10_000);
    expect(nextDelay(policy, 1)).toBe(15_000);
    expect(nextDelay(policy, 50)).toBe(30_000);
  });

  it('backs off harder when throttled, but not unboundedly', () => {
    const policy = backoffPolicy(10_000);
    expect(nextDelay(policy, 0, true)).toBe(20_000);
    expect(nextDelay(policy, 50, true)).toBe(60_000);
  });

  it('never goes below a short test interval', () => {
    const policy = backoffPolicy(20);
    expect(nextDelay(policy, 0)).toBe(20);
    expect(nextDelay(policy, 10)).toBe(80);
  });
});
