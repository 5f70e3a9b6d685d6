// The proxy image, built from proxy/Dockerfile as it is and run the way ECS runs it: read-only root filesystem,
// the declared volume as the only writable path, uid 101, SIGQUIT to stop. No registry is reachable here, so
// the base is a local stand-in for the official nginx-unprivileged image: the Debian forky root setup builds
// (nginx 1.30, curl) imported into the engine, plus what the official image has and forky lacks (user nginx
// with uid 101, the stream module loaded without a load_module line in the rendered file). BASE_IMAGE selects
// it; the Dockerfile is not edited.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Environment, upstreamName } from '../../src/config/model.ts';
import { type DnsServer, startDnsServer } from '../../src/local/dns.ts';
import { FORKY_ROOT } from '../../src/local/nginx-builds.ts';
import { assertPortFree, freePort, waitForPort } from '../../src/local/ports.ts';
import { type RenderTarget, renderProxy, renderTargetFor, writeRendered } from '../../src/render/render.ts';
import { exampleConfig } from '../proxy/example-config.ts';
import { echoOf, httpExchange, httpGet, httpStandIn } from '../proxy/harness.ts';
import { proxyV2LocalHeader } from '../support/proxy-protocol.ts';
import { type Engine, engineUnavailable, startEngine } from './engine.ts';

const DOCKERFILE = fileURLToPath(new URL('../../proxy/Dockerfile', import.meta.url));
const BASE_FILES = fileURLToPath(new URL('./base', import.meta.url));
const ROOT_IMAGE = 'lattice-ingress-test/forky-root';
const BASE_IMAGE = 'lattice-ingress-test/base';
const PROXY_IMAGE = 'lattice-ingress-test/proxy';
const CONTAINER = 'lattice-ingress-image-test';
const ALLOWED = '198.51.100.7';
const OFF_LIST = '203.0.113.9';
const LOCALHOST = '127.0.0.1';

const unavailable = engineUnavailable();
if (unavailable) console.warn(`image test skipped: ${unavailable}`);
let engine: Engine;
let dns: DnsServer;
let standIn: Server;
/** The container's ports, as the image rendering of the environment listens (host networking). */
let ports: RenderTarget['listen'];
const temporary: string[] = [];

const docker = (...args: string[]) => engine.docker(args);
const inspect = async (format: string) => (await docker('inspect', '--format', format, CONTAINER)).trim();

describe.skipIf(unavailable)(`the proxy image${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  beforeAll(async () => {
    const config = await exampleConfig();
    const env = config.deployment.environments[0] as Environment;
    const production = renderTargetFor(env);
    ports = production.listen;
    engine = await startEngine();
    // A container an interrupted run left behind would hold the ports below.
    await docker('rm', '--force', CONTAINER);
    for (const port of [ports.http, ports.tls, ports.loadBalancerHealth, ports.health])
      await assertPortFree(LOCALHOST, port);
    await docker('image', 'inspect', ROOT_IMAGE).catch(() =>
      engine.docker(['import', '-', ROOT_IMAGE], { stdinFrom: ['tar', '-C', FORKY_ROOT, '-c', '.'] }),
    );
    await docker('build', '--network', 'none', '--tag', BASE_IMAGE, baseContext());

    // The image rendering of an environment, pointed at loopback stand-ins: the DNS stand-in answers every
    // Lattice name with the address of one HTTP stand-in, and loopback is the trusted PROXY source.
    standIn = httpStandIn('orders');
    const standInPort = await freePort();
    await new Promise<void>((resolve) => standIn.listen(standInPort, LOCALHOST, resolve));
    dns = await startDnsServer({
      records: new Map(
        config.services.services.map((service) => [upstreamName(service), { a: [LOCALHOST] }]),
      ),
      ttlSeconds: 1,
    });
    const target = {
      ...production,
      resolver: { ...production.resolver, address: LOCALHOST, port: dns.port },
      upstreamPorts: { http: standInPort, tls: await freePort() },
      trustedProxyCidrs: ['127.0.0.0/8'],
    };
    const context = temporaryDir('lattice-image-context-');
    await writeRendered(renderProxy(config, target), context);
    await docker(
      'build',
      '--network',
      'none',
      '--build-arg',
      `BASE_IMAGE=${BASE_IMAGE}`,
      '--file',
      DOCKERFILE,
      '--tag',
      PROXY_IMAGE,
      context,
    );
    await docker('run', '--detach', '--read-only', '--network', 'host', '--name', CONTAINER, PROXY_IMAGE);
    await waitForPort(LOCALHOST, ports.health, 20_000);
  }, 240_000);

  afterAll(async () => {
    await engine?.docker(['rm', '--force', '--volumes', CONTAINER]).catch(() => undefined);
    // The images of earlier runs lose their tags to this run's; the engine's data root keeps only the latest.
    await engine?.docker(['image', 'prune', '--force']).catch(() => undefined);
    await engine?.stop();
    await dns?.close();
    standIn?.closeAllConnections();
    await new Promise((resolve) => (standIn ? standIn.close(resolve) : resolve(undefined)));
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  test('runs as uid 101 on a read-only root, the declared volume its only writable path', async () => {
    expect((await docker('exec', CONTAINER, 'id', '-u')).trim()).toBe('101');
    expect(await inspect('{{.HostConfig.ReadonlyRootfs}}')).toBe('true');
    expect(JSON.parse(await inspect('{{json .Mounts}}'))).toMatchObject([
      { Type: 'volume', Destination: '/tmp/nginx' },
    ]);
    // /tmp is open to everyone, so only the read-only root stops uid 101 there; the volume takes the write.
    await expect(docker('exec', CONTAINER, 'touch', '/tmp/probe')).rejects.toThrow(/Read-only file system/);
    await docker('exec', CONTAINER, 'touch', '/tmp/nginx/probe');
    expect(await docker('exec', CONTAINER, 'stat', '-c', '%U %a', '/tmp/nginx')).toBe('nginx 755\n');
    // Every rendered file readable by uid 101, none writable; their directory enterable.
    expect(
      await docker('exec', CONTAINER, 'stat', '-c', '%n %U %a', '/etc/nginx', '/etc/nginx/nginx.conf'),
    ).toBe('/etc/nginx root 755\n/etc/nginx/nginx.conf root 444\n');
  });

  test('the entrypoint hands the main process to nginx and opens the health checks once it can forward', async () => {
    // STOPSIGNAL reaches nginx only if the entrypoint exec'd it.
    expect((await docker('exec', CONTAINER, 'cat', '/proc/1/comm')).trim()).toBe('nginx');
    const deadline = Date.now() + 10_000;
    while (!(await docker('exec', CONTAINER, 'ls', '/tmp/nginx')).includes('ready')) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('nginx -t inside the container accepts the shipped configuration', async () => {
    const output = await docker('exec', CONTAINER, 'sh', '-c', 'nginx -t 2>&1');
    expect(output).toContain('test is successful');
  });

  test('the image HEALTHCHECK reports healthy', async () => {
    const deadline = Date.now() + 45_000;
    let health = await inspect('{{.State.Health.Status}}');
    while (health !== 'healthy' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      health = await inspect('{{.State.Health.Status}}');
    }
    expect(health).toBe('healthy');
  }, 60_000);

  test('the load balancer health port answers behind a PROXY header, and refuses a request without one', async () => {
    const healthz = 'GET /healthz HTTP/1.1\r\nHost: target\r\nConnection: close\r\n\r\n';
    expect(await httpExchange(ports.loadBalancerHealth, healthz, proxyV2LocalHeader())).toEqual({
      status: 200,
      body: 'ok\n',
    });
    expect(await httpExchange(ports.loadBalancerHealth, healthz)).toEqual({ closed: true });
  });

  test('an allowlisted client is forwarded, an off-list client gets 403', async () => {
    const forwarded = await httpExchange(ports.http, httpGet('orders.example.com'), ALLOWED);
    expect(echoOf(forwarded).service).toBe('orders');
    expect(await httpExchange(ports.http, httpGet('orders.example.com'), OFF_LIST)).toMatchObject({
      status: 403,
    });
  });

  test('docker stop (SIGQUIT) lets a request in flight finish with 200, and the container exits 0', async () => {
    const inFlight = httpExchange(ports.http, httpGet('orders.example.com', '/slow/2000'), ALLOWED);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopped = docker('stop', '--time', '30', CONTAINER);
    const outcome = await inFlight;
    expect(outcome).toMatchObject({ status: 200 });
    expect(echoOf(outcome).url).toBe('/slow/2000');
    await stopped;
    expect(await inspect('{{.State.ExitCode}}')).toBe('0');
  }, 60_000);
});

function temporaryDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
}

/**
 * The local stand-in for the official base: forky's root, a user `nginx` with uid 101 (the official image's),
 * and an nginx on the PATH that loads forky's stream module (built into the official nginx).
 */
function baseContext(): string {
  const dir = temporaryDir('lattice-image-base-');
  cpSync(join(BASE_FILES, 'nginx'), join(dir, 'nginx'));
  const passwd = readFileSync(join(FORKY_ROOT, 'etc/passwd'), 'utf8');
  const group = readFileSync(join(FORKY_ROOT, 'etc/group'), 'utf8');
  writeFileSync(join(dir, 'passwd'), `${passwd}nginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin\n`);
  writeFileSync(join(dir, 'group'), `${group}nginx:x:101:\n`);
  writeFileSync(
    join(dir, 'Dockerfile'),
    `FROM ${ROOT_IMAGE}\nCOPY nginx /usr/local/sbin/nginx\nCOPY passwd group /etc/\n`,
  );
  return dir;
}
