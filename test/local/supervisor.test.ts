import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isAlive } from '../../src/local/proc.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { until } from './support.ts';

describe('Supervisor', () => {
  it('stops processes and runs stop steps once, newest first, and removes its temporary directories', async () => {
    const supervisor = new Supervisor();
    const order: string[] = [];
    const dir = supervisor.tempDir();
    supervisor.defer('first', () => {
      order.push('first');
    });
    const sleeper = await supervisor.spawn('sleeper', 'sleep', ['30']);
    supervisor.defer('last', async () => {
      order.push('last');
    });
    expect(isAlive(sleeper.pid)).toBe(true);

    const stopping = supervisor.stop();
    expect(supervisor.stop()).toBe(stopping);
    await stopping;
    expect(order).toEqual(['last', 'first']);
    expect(isAlive(sleeper.pid)).toBe(false);
    expect(await sleeper.exited).toBe('SIGTERM');
    expect(existsSync(dir)).toBe(false);
    expect(() => supervisor.defer('late', () => {})).toThrow(/stopping/);
  });

  it('kills a process that ignores its stop signal', async () => {
    const supervisor = new Supervisor();
    const stubborn = await supervisor.spawn('stubborn', process.execPath, [
      '-e',
      "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ignoring SIGTERM');",
    ]);
    await until(() => stubborn.output().includes('ignoring SIGTERM'), 'the process to ignore SIGTERM');
    await supervisor.stop();
    expect(isAlive(stubborn.pid)).toBe(false);
    expect(await stubborn.exited, stubborn.output()).toBe('SIGKILL');
  });

  it('reports a program that cannot be started, and a failing stop step does not stop the others', async () => {
    const supervisor = new Supervisor();
    let ran = false;
    supervisor.defer('runs anyway', () => {
      ran = true;
    });
    supervisor.defer('fails', () => {
      throw new Error('boom');
    });
    await expect(supervisor.spawn('missing', 'no-such-program-here', [])).rejects.toThrow(
      /cannot start missing \(no-such-program-here\)/,
    );
    await supervisor.stop();
    expect(ran).toBe(true);
  });
});
