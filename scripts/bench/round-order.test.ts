import { describe, expect, it } from 'vitest';
import { roundOrder } from './round-order.ts';

/** How often each scenario runs right after each other one, over `rounds` rounds. */
function followCounts(count: number, rounds: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let round = 0; round < rounds; round++) {
    const order = roundOrder(count, round);
    for (let step = 1; step < order.length; step++) {
      const pair = `${order[step - 1]}->${order[step]}`;
      counts.set(pair, (counts.get(pair) ?? 0) + 1);
    }
  }
  return counts;
}

describe('roundOrder', () => {
  it('runs every scenario once per round', () => {
    for (let count = 1; count <= 9; count++)
      for (let round = 0; round < 2 * count; round++)
        expect([...roundOrder(count, round)].sort((a, b) => a - b)).toEqual([...Array(count).keys()]);
  });

  it('puts each scenario right after every other one equally often (n rounds if even, 2n if odd)', () => {
    for (let count = 2; count <= 9; count++) {
      const rounds = count % 2 === 0 ? count : 2 * count;
      const counts = followCounts(count, rounds);
      expect(counts.size).toBe(count * (count - 1));
      expect(new Set(counts.values())).toEqual(new Set([count % 2 === 0 ? 1 : 2]));
    }
  });

  it('is not a plain rotation: the four TLS subjects of a default run do not keep their neighbours', () => {
    expect([0, 1, 2, 3].map((round) => roundOrder(4, round))).toEqual([
      [0, 3, 1, 2],
      [1, 0, 2, 3],
      [2, 1, 3, 0],
      [3, 2, 0, 1],
    ]);
  });
});
