import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { childPids, cpuSplitMs, cpuTimeMs } from '../../src/local/proc.ts';

/** Keeps the CPU busy for about `ms` milliseconds of wall time. */
function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('cpuTimeMs', () => {
  it('grows with the work a process does', () => {
    const before = cpuTimeMs(process.pid) as number;
    spin(50);
    expect(cpuTimeMs(process.pid)).toBeGreaterThan(before);
  });

  it.runIf(existsSync('/proc/self/schedstat'))(
    'counts finer than the 10 ms clock ticks of /proc/pid/stat where the kernel keeps schedstat',
    () => {
      // Tick counts are whole multiples of 10 ms; a nanosecond count almost never is, five times in a row.
      const readings = Array.from({ length: 5 }, () => {
        spin(3);
        return cpuTimeMs(process.pid) as number;
      });
      expect(readings.some((ms) => ms % 10 !== 0)).toBe(true);
    },
  );

  it('is undefined for a process that is gone, and childPids empty', async () => {
    const child = spawn('true');
    const pid = child.pid as number;
    await new Promise((resolve) => child.on('exit', resolve));
    expect(cpuTimeMs(pid)).toBeUndefined();
    expect(cpuSplitMs(pid)).toBeUndefined();
    expect(childPids(pid)).toEqual([]);
  });
});

describe('cpuSplitMs', () => {
  it('puts a busy loop in user space, in whole clock ticks', () => {
    const before = cpuSplitMs(process.pid) as { userMs: number; systemMs: number };
    // 200 ms of this process's own CPU, however busy the machine is; the kernel's share of a loop is small.
    const start = process.cpuUsage();
    while (process.cpuUsage(start).user < 200_000) spin(5);
    const after = cpuSplitMs(process.pid) as { userMs: number; systemMs: number };
    expect(after.userMs - before.userMs).toBeGreaterThan(after.systemMs - before.systemMs);
    expect(after.userMs % 10).toBe(0);
  });
});
