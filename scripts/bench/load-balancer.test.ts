// The rollout benchmark's load balancer: the real haproxy and its runtime API, in front of targets that only count
// connections and answer health checks, show registration, draining and termination behave as the benchmark needs.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { freePorts } from '../../src/local/ports.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { renderLoadBalancerConfig, startLoadBalancer, type Target } from './load-balancer.ts';

const LOOPBACK = '127.0.0.1';
const CHECK = { intervalSeconds: 1, healthyThreshold: 2, unhealthyThreshold: 2 };

interface FakeTarget {
  target: Target;
  /** Connections the target's HTTP listener holds open. */
  open: Set<Socket>;
  accepted: () => number;
}

const servers: Server[] = [];
const sockets: Socket[] = [];

function listen(port: number, onConnection: (socket: Socket) => void): Promise<void> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onConnection(socket);
  });
  servers.push(server);
  return new Promise((resolve) => server.listen(port, LOOPBACK, resolve));
}

/** A target that answers the HTTP health check (behind its PROXY header) and keeps traffic connections open. */
async function fakeTarget(name: string): Promise<FakeTarget> {
  const [http, tls, loadBalancerHealth] = (await freePorts(3)) as [number, number, number];
  const open = new Set<Socket>();
  let accepted = 0;
  await listen(http, (socket) => {
    accepted += 1;
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => {});
    // Reading, so a close by the load balancer is seen.
    socket.resume();
  });
  await listen(tls, (socket) => socket.destroy());
  await listen(loadBalancerHealth, (socket) => {
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      if (received.includes('GET /healthz') && received.endsWith('\r\n\r\n'))
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    socket.on('error', () => {});
  });
  return {
    target: { name, address: LOOPBACK, http, tls, loadBalancerHealth },
    open,
    accepted: () => accepted,
  };
}

/** Opens `count` client connections through the load balancer and waits until the targets hold them. */
async function openConnections(port: number, count: number, targets: FakeTarget[]): Promise<void> {
  const before = targets.reduce((sum, t) => sum + t.accepted(), 0);
  for (let i = 0; i < count; i++) {
    const socket = connect(port, LOOPBACK);
    socket.on('error', () => {});
    sockets.push(socket);
  }
  while (targets.reduce((sum, t) => sum + t.accepted(), 0) < before + count)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

let supervisor: Supervisor | undefined;
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  await supervisor?.stop();
});

describe('the rollout benchmark load balancer', () => {
  it('renders a configuration haproxy accepts', async () => {
    supervisor = new Supervisor();
    const dir = supervisor.tempDir();
    const file = join(dir, 'haproxy.cfg');
    const target = (await fakeTarget('old1')).target;
    await writeFile(
      file,
      renderLoadBalancerConfig({
        listen: { address: LOOPBACK, http: 1080, tls: 1443 },
        socket: join(dir, 'haproxy.sock'),
        targets: [target],
        check: CHECK,
      }),
    );
    await expect(promisify(execFile)('haproxy', ['-c', '-f', file])).resolves.toBeDefined();
  });

  it('registers after the healthy threshold, drains without cutting, then resets what is left', async () => {
    supervisor = new Supervisor();
    const dir = supervisor.tempDir();
    const [http, tls] = (await freePorts(2)) as [number, number];
    const old = await fakeTarget('old1');
    const arriving = await fakeTarget('new1');
    const balancer = await startLoadBalancer(supervisor, dir, {
      listen: { address: LOOPBACK, http, tls },
      targets: [old.target],
      check: CHECK,
    });
    await balancer.waitHealthy(['old1'], 10_000);
    // haproxy's start was awaited by connecting to its listener, which forwarded that connection to old1.
    const startProbe = old.accepted();
    for (const socket of old.open) socket.destroy();

    // Registered but not yet healthy: every new connection still goes to the old target.
    await balancer.register(arriving.target);
    await openConnections(http, 4, [old, arriving]);
    expect([old.accepted() - startProbe, arriving.accepted()]).toEqual([4, 0]);

    const registered = performance.now();
    await balancer.waitHealthy(['new1'], 10_000);
    // Two passing checks one interval apart.
    expect(performance.now() - registered).toBeGreaterThanOrEqual((CHECK.intervalSeconds * 1000) / 2);

    await balancer.drain('old1');
    await openConnections(http, 4, [old, arriving]);
    expect([old.accepted() - startProbe, arriving.accepted()]).toEqual([4, 4]);
    expect(old.open.size).toBe(4);

    expect(await balancer.terminate('old1')).toEqual({ http: 4, tls: 0 });
    const deadline = Date.now() + 5_000;
    while (old.open.size > 0 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(old.open.size).toBe(0);
    expect(arriving.open.size).toBe(4);
  });
});
