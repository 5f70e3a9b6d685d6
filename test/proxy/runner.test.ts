// The nginx runner's failure path: a start that fails reports nginx's own words and leaves no process behind.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startNginx } from '../../src/local/nginx.ts';
import { isAlive } from '../../src/local/proc.ts';
import { localRenderTarget, renderProxy, writeRendered } from '../../src/render/render.ts';
import { exampleConfig } from './example-config.ts';

let dir: string;
let squatter: Server;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lattice-runner-'));
  squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen({ host: '127.0.0.1', port: 0 }, resolve));
});
afterAll(async () => {
  await new Promise((resolve) => squatter.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

test('a port already in use fails the start with nginx’s message, and nothing keeps running', async () => {
  const taken = (squatter.address() as { port: number }).port;
  const target = localRenderTarget({
    runtimeDir: dir,
    listen: { http: taken, tls: taken + 1, loadBalancerHealth: taken + 3, health: taken + 2 },
    resolver: { port: 53 },
    upstreamPorts: { http: 80, tls: 443 },
  });
  const config = await exampleConfig();
  const pinned = Object.fromEntries(
    config.services.services.map((s) => [s.latticeDomain ?? s.domain, '127.0.0.1']),
  );
  await writeRendered(renderProxy(config, { ...target, upstreamAddresses: pinned }), dir);
  const failure = await startNginx({ dir, waitFor: [{ host: '127.0.0.1', port: taken + 2 }] }).then(
    () => undefined,
    (error: Error) => error,
  );
  expect(failure?.message).toMatch(/nginx exited .* while starting/);
  expect(failure?.message).toContain('Address already in use');
  const pid = Number(/\[emerg\] (\d+)#/.exec(failure?.message ?? '')?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(isAlive(pid)).toBe(false);
});
