// The run's shared results: computed once for the same key, by one of the files that ask at the same time.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { oncePerRun } from './run-cache.ts';

describe('oncePerRun', () => {
  it('computes a value once for concurrent and later callers with the same key, again for another key', async () => {
    const kind = `probe-${randomUUID()}`;
    let computed = 0;
    const compute = async () => {
      computed += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      return { computed };
    };
    const [first, second] = await Promise.all([
      oncePerRun(kind, { env: 'a' }, compute),
      oncePerRun(kind, { env: 'a' }, compute),
    ]);
    expect([first, second, await oncePerRun(kind, { env: 'a' }, compute)]).toEqual([
      { computed: 1 },
      { computed: 1 },
      { computed: 1 },
    ]);
    expect(await oncePerRun(kind, { env: 'b' }, compute)).toEqual({ computed: 2 });
  });

  it('keeps no result of a failed computation: the next caller computes it', async () => {
    const kind = `probe-${randomUUID()}`;
    await expect(
      oncePerRun(kind, 'key', () => {
        throw new Error('synthesis failed');
      }),
    ).rejects.toThrow('synthesis failed');
    expect(await oncePerRun(kind, 'key', () => 'second try')).toBe('second try');
  });
});
