// The local stack's supervisor: whatever fails part-way, nothing it started outlives it.
import { existsSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/model.ts';
import { isAlive } from '../../src/local/proc.ts';
import { standInAddress, startLocalStack } from '../../src/local/stack.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { processesMentioning } from './support.ts';

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('local stack cleanup', () => {
  let config: Config;
  let squatter: Server;
  let squattedPort: number;

  beforeAll(async () => {
    const loaded = await loadConfig(SAMPLE_CONFIG_DIR);
    if (!loaded.config) throw new Error('the example config is invalid');
    config = loaded.config;
    squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
    squattedPort = (squatter.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => squatter.close(() => resolve())));

  it('a port conflict part-way (nginx cannot bind) stops the DNS server, stand-ins and files', async () => {
    const supervisor = new Supervisor();
    const logged: string[] = [];
    const starting = startLocalStack(config, {
      supervisor,
      defaultRegion: 'eu-west-1',
      log: (line) => logged.push(line),
      // The proxy's HTTP listener collides with a port in use.
      adjustTarget: (target) => ({ ...target, listen: { ...target.listen, http: squattedPort } }),
    });
    await expect(starting).rejects.toThrow(/nginx exited|Address already in use/);
    expect(logged.some((line) => line.startsWith('stand-in'))).toBe(true); // it got that far
    const [dir] = supervisor.tempDirs;
    expect(dir && existsSync(dir)).toBe(true);
    const standInPort = Number(
      /http:(\d+)/.exec(logged.find((line) => line.startsWith('stand-in')) ?? '')?.[1],
    );
    expect(await accepts(standInAddress(0), standInPort)).toBe(true);

    await supervisor.stop();
    expect(processesMentioning(dir as string)).toEqual([]);
    expect(supervisor.started.map(({ pid }) => pid).filter(isAlive)).toEqual([]);
    expect(existsSync(dir as string)).toBe(false);
    expect(await accepts(standInAddress(0), standInPort)).toBe(false);
  });

  it('a port a user chose that is taken is reported before anything starts', async () => {
    const supervisor = new Supervisor();
    const starting = startLocalStack(config, {
      supervisor,
      defaultRegion: 'eu-west-1',
      tlsPort: squattedPort,
    });
    await expect(starting).rejects.toThrow(`port 127.0.0.1:${squattedPort} is already in use`);
    await supervisor.stop();
    expect(supervisor.started).toEqual([]);
    expect(supervisor.tempDirs.filter((dir) => existsSync(dir))).toEqual([]);
  });
});
