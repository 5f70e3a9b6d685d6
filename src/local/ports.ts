// Free loopback ports for the servers a run starts (nginx, haproxy, stand-ins), chosen so parallel stacks and test
// runs never collide.
//
// Not the operating system's pick (port 0): that comes from the ephemeral range, from which every outgoing
// connection on the machine also takes its local port, so between the pick and the server's bind a client could
// take the port, or another process asking at the same moment could be handed it too (two haproxys, which bind
// with SO_REUSEPORT, would then silently share it). Instead each process walks a block of ports of its own below
// the ephemeral range, and a port is handed out only after a bind to it succeeded.
import { readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const LOWEST_PORT = 10_000;
const BLOCK_SIZE = 128;

/** The first port of the kernel's ephemeral range (Linux's default where it cannot be read). */
export function ephemeralRangeStart(): number {
  try {
    const first = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    return Number.isInteger(first) && first > 0 ? first : 32_768;
  } catch {
    return 32_768;
  }
}

/** The ports below the ephemeral range, in blocks; this process's block is chosen by its pid. */
export function portBlock(pid: number, rangeStart: number): { first: number; size: number } | undefined {
  const blocks = Math.floor((rangeStart - LOWEST_PORT) / BLOCK_SIZE);
  if (blocks < 2) return undefined;
  return { first: LOWEST_PORT + (pid % blocks) * BLOCK_SIZE, size: BLOCK_SIZE };
}

const block = portBlock(process.pid, ephemeralRangeStart());
let cursor = 0;

/** A TCP port that is free on `host` right now and that this process has not handed out lately. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  if (!block) return bindable(host, 0);
  for (let tried = 0; tried < block.size; tried++) {
    const port = block.first + (cursor++ % block.size);
    const bound = await bindable(host, port).catch(() => undefined);
    if (bound) return bound;
  }
  // Every port of the block is taken (another process with the same block, or a long-lived run): ask the OS.
  return bindable(host, 0);
}

/** Binds host:port (0: any) exclusively, closes it again and gives the port that was bound. */
function bindable(host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort(host));
  return [...ports];
}

/** Resolves once something accepts TCP connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect({ host, port });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Fails with a clear message when host:port is already taken (for ports a user chose). */
export function assertPortFree(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new Error(
          error.code === 'EADDRINUSE'
            ? `port ${host}:${port} is already in use; stop what listens there or choose another port`
            : `cannot listen on ${host}:${port}: ${error.message}`,
        ),
      ),
    );
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve()));
  });
}
