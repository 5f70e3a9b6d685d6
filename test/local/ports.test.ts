import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ephemeralRangeStart, freePort, freePorts, portBlock } from '../../src/local/ports.ts';

describe('free ports', () => {
  it('gives each process a block of its own below the ephemeral range', () => {
    const block = portBlock(4242, 32_768);
    expect(block).toBeDefined();
    const { first, size } = block as { first: number; size: number };
    expect(first).toBeGreaterThanOrEqual(10_000);
    expect(first + size).toBeLessThanOrEqual(32_768);
    // Neighbouring pids (parallel test workers are started together) get neighbouring, disjoint blocks.
    expect(portBlock(4243, 32_768)?.first).toBe(first + size);
  });

  it('leaves the choice to the operating system when the ephemeral range starts too low for blocks', () => {
    expect(portBlock(4242, 10_100)).toBeUndefined();
  });

  it('hands out distinct ports outside the ephemeral range, skipping one that is taken', async () => {
    const [first] = (await freePorts(1)) as [number];
    // Taken by this test, or already by someone else: either way not free.
    const taken = createServer();
    await new Promise<void>((resolve) => {
      taken.once('error', () => resolve());
      taken.listen({ host: '127.0.0.1', port: first + 1 }, resolve);
    });
    try {
      const next = await freePorts(3);
      expect(new Set([first, ...next]).size).toBe(4);
      expect(next).not.toContain(first + 1);
      for (const port of next) expect(port).toBeLessThan(ephemeralRangeStart());
    } finally {
      if (taken.listening) await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('binds on the host it is asked for', async () => {
    const port = await freePort('127.0.0.2');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen({ host: '127.0.0.2', port }, resolve));
    await new Promise((resolve) => server.close(resolve));
  });
});
