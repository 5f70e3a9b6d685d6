import { describe, expect, it } from 'vitest';
import { deployOrder, type RecordedCommit } from './deploy-order.ts';

const request = (recorded: RecordedCommit[]) => ({ environment: 'staging', sha: 'b'.repeat(40), recorded });

describe('deployOrder', () => {
  it('deploys on an environment that has never been deployed', () => {
    expect(deployOrder(request([]))).toMatchObject({ deploy: true, reason: 'staging has no deployment yet' });
  });

  it('deploys a commit newer than every recorded one, and the same commit again', () => {
    expect(deployOrder(request([{ sha: 'a'.repeat(40), relation: 'newer' }])).deploy).toBe(true);
    const again = deployOrder(request([{ sha: 'b'.repeat(40), relation: 'same' }]));
    expect(again).toMatchObject({ deploy: true, reason: expect.stringContaining('deployed again') });
  });

  it('refuses a commit older than any commit the environment has had, even one rolled back since', () => {
    // Newest first: a rollback to an older commit, then the newer commit it went back from.
    const decision = deployOrder(
      request([
        { sha: 'a'.repeat(40), relation: 'newer' },
        { sha: 'c'.repeat(40), relation: 'older' },
      ]),
    );
    expect(decision).toEqual({
      deploy: false,
      newer: 'c'.repeat(40),
      reason: expect.stringMatching(/^staging has already had cccccccccccc, which contains bbbbbbbbbbbb/),
    });
  });

  it('does not let commits it cannot order block the environment, and says so', () => {
    const decision = deployOrder(
      request([
        { sha: 'd'.repeat(40), relation: 'diverged' },
        { sha: 'e'.repeat(40), relation: 'unknown' },
      ]),
    );
    expect(decision.deploy).toBe(true);
    expect(decision.deploy && decision.notes).toEqual([
      expect.stringContaining('have diverged'),
      expect.stringContaining('not in this clone'),
    ]);
  });
});
