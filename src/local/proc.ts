// What Linux's /proc says about a process: its children (nginx workers under their master) and the CPU time it
// has used. Linux only, like the rest of the local stack.
import { readFileSync } from 'node:fs';

/** Direct children of `pid` (empty when it has none or is gone). */
export function childPids(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return text ? text.split(/\s+/).map(Number) : [];
  } catch {
    return [];
  }
}

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * CPU time `pid` has used in milliseconds (user plus system), or undefined when it is gone. Read from
 * /proc/<pid>/schedstat, which the scheduler keeps in nanoseconds, where the kernel has it; /proc/<pid>/stat counts
 * in clock ticks of 10 ms, too coarse to tell apart two runs of a few hundred milliseconds. Both count the process's
 * main thread (schedstat) or all its threads (stat): nginx workers have one.
 */
export function cpuTimeMs(pid: number): number | undefined {
  try {
    const onCpuNs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(onCpuNs)) return onCpuNs / 1e6;
  } catch {
    // No schedstat (a kernel built without CONFIG_SCHED_INFO) or the process is gone: stat tells which.
  }
  const split = cpuSplitMs(pid);
  return split && split.userMs + split.systemMs;
}

/**
 * CPU time `pid` has used in user space and in the kernel, in milliseconds of 10 ms clock ticks (/proc/<pid>/stat),
 * or undefined when it is gone. Coarse: meant for runs of a second or more of CPU.
 */
export function cpuSplitMs(pid: number): { userMs: number; systemMs: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 of the whole line.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = (ticks: string | undefined) => (Number(ticks) * 1000) / CLOCK_TICKS_PER_SECOND;
    return { userMs: ms(fields[11]), systemMs: ms(fields[12]) };
  } catch {
    return undefined;
  }
}

/** True while a process with this pid runs (a zombie waiting to be reaped counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
