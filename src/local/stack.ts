// The local stack: the rendered proxy (real nginx) on loopback between haproxy (the NLB's stand-in, PROXY protocol
// v2) and one stand-in per configured service, with a small DNS server playing the VPC resolver. Everything is
// started under a Supervisor, which stops it all on any failure part-way and when the caller is done.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Config, type Service, upstreamNameIn } from '../config/model.ts';
import { localRenderTarget, type RenderTarget, renderProxy, writeRendered } from '../render/render.ts';
import { signingRegion } from '../smoke/checks.ts';
import { createLocalCa, type LocalCa } from './certificates.ts';
import { type DnsServer, startDnsServer } from './dns.ts';
import { type Haproxy, startHaproxy } from './haproxy.ts';
import { LOCAL_ENVIRONMENT, localZones } from './networks.ts';
import { type NginxProcess, startNginx, testNginxConfig } from './nginx.ts';
import { assertPortFree, freePorts } from './ports.ts';
import { childPids, isAlive } from './proc.ts';
import { type StandIn, startStandIn } from './stand-in.ts';
import type { Supervisor } from './supervisor.ts';

/** Where the stack's clients connect, and the address nginx sees them from once the PROXY header is read. */
export const CLIENT_ADDRESS = '127.0.0.1';
/** A loopback address outside the local allowlist: connections from it must be refused. */
export const REFUSED_CLIENT_ADDRESS = '127.0.0.2';

export interface LocalStackOptions {
  supervisor: Supervisor;
  /** Ports for haproxy's listeners (the load balancer's 80 and 443); free ports when omitted. */
  httpPort?: number;
  tlsPort?: number;
  /** Region for SigV4 when a service's Lattice name does not name one. */
  defaultRegion: string;
  /** Progress lines ("dns: 127.0.0.1:5353"). */
  log?: (line: string) => void;
  /** Changes the local render target before rendering (tests use it to make nginx fail part-way). */
  adjustTarget?: (target: RenderTarget) => RenderTarget;
}

export interface LocalStack {
  /** Temporary directory holding the CA, the rendered config, logs; removed on stop. */
  dir: string;
  renderDir: string;
  target: RenderTarget;
  ca: LocalCa;
  dns: DnsServer;
  standIns: StandIn[];
  nginx: NginxProcess;
  haproxy: Haproxy;
  /** The load balancer's stand-in: what clients connect to. */
  endpoint: { host: string; httpPort: number; tlsPort: number };
}

export { standInAddress } from './networks.ts';

const STAND_IN_PORT_ATTEMPTS = 5;

export async function startLocalStack(config: Config, options: LocalStackOptions): Promise<LocalStack> {
  const { supervisor } = options;
  const log = options.log ?? (() => {});
  const services = config.services.services;
  const regionOf = (service: Service) => signingRegion(service, options.defaultRegion);

  const dir = supervisor.tempDir('lattice-ingress-local-');
  const renderDir = join(dir, 'nginx');
  await mkdir(renderDir);

  // Ports a user chose are checked first, so a conflict is reported before anything starts.
  for (const port of [options.httpPort, options.tlsPort]) {
    if (port !== undefined) await assertPortFree(CLIENT_ADDRESS, port);
  }
  const [httpPort, tlsPort, proxyHttp, proxyTls, proxyLoadBalancerHealth, proxyHealth] = await freePorts(6);
  const endpoint = {
    host: CLIENT_ADDRESS,
    httpPort: options.httpPort ?? (httpPort as number),
    tlsPort: options.tlsPort ?? (tlsPort as number),
  };

  const ca = await createLocalCa(dir);
  // One zone per service network (the association's, then one per further network's endpoint), one resolver for all.
  const zones = localZones(services);
  const addresses = new Map(zones.flatMap((zone) => [...zone.records]));
  const dns = await startDnsServer({
    records: new Map([...addresses].map(([name, address]) => [name, { a: [address] }])),
    ttlSeconds: 1,
  });
  supervisor.defer('stop the DNS server', () => dns.close());
  log(`dns        ${dns.address} (answers ${addresses.size} name(s), NXDOMAIN otherwise)`);
  for (const zone of zones.filter((z) => z.services.length > 0)) {
    const path = zone.network === 'association' ? 'association' : `${zone.network} (endpoint)`;
    log(`  zone     ${path.padEnd(31)} ${zone.services.map(({ service }) => service.name).join(', ')}`);
  }

  const standIns = await startStandIns(
    supervisor,
    ca,
    zones.flatMap((zone) => zone.services),
    regionOf,
  );
  const upstreamPorts = { http: standIns[0]?.httpPort ?? 0, tls: standIns[0]?.tlsPort ?? 0 };
  for (const standIn of standIns) {
    log(
      `stand-in   ${standIn.service.name.padEnd(12)} ${standIn.address} http:${standIn.httpPort} https:${standIn.tlsPort}`,
    );
  }

  const listen = {
    address: CLIENT_ADDRESS,
    http: proxyHttp as number,
    tls: proxyTls as number,
    loadBalancerHealth: proxyLoadBalancerHealth as number,
    health: proxyHealth as number,
  };
  const localTarget = localRenderTarget({
    environment: LOCAL_ENVIRONMENT,
    runtimeDir: join(dir, 'runtime'),
    listen,
    resolver: { address: dns.host, port: dns.port },
    upstreamPorts,
    upstreamAddresses: Object.fromEntries(addresses),
    clientHttpPort: endpoint.httpPort,
  });
  const target = options.adjustTarget ? options.adjustTarget(localTarget) : localTarget;
  await mkdir(target.paths.runtime, { recursive: true });
  await writeRendered(renderProxy(config, target), renderDir);
  const check = await testNginxConfig({ dir: renderDir });
  if (!check.ok) throw new Error(`nginx -t rejected the rendered configuration:\n${check.output.trim()}`);

  const nginx = await startNginx({
    dir: renderDir,
    waitFor: [listen.http, listen.tls, listen.loadBalancerHealth, listen.health].map((port) => ({
      host: listen.address,
      port,
    })),
  });
  superviseNginx(supervisor, nginx);
  log(
    `nginx      ${listen.address} http:${listen.http} tls:${listen.tls} lb-health:${listen.loadBalancerHealth} health:${listen.health} (pid ${nginx.pid})`,
  );

  const haproxy = await startHaproxy(supervisor, dir, {
    listen: { address: CLIENT_ADDRESS, http: endpoint.httpPort, tls: endpoint.tlsPort },
    proxy: listen,
  });
  log(
    `haproxy    ${CLIENT_ADDRESS} http:${endpoint.httpPort} tls:${endpoint.tlsPort} (send-proxy-v2, pid ${haproxy.process.pid})`,
  );

  return { dir, renderDir, target, ca, dns, standIns, nginx, haproxy, endpoint };
}

/**
 * Starts every stand-in on the same two ports (each on its own address, as every Lattice service listens on 80 and
 * 443). A port free on 127.0.0.1 may be taken on another address, so a clash picks new ports and tries again.
 */
async function startStandIns(
  supervisor: Supervisor,
  ca: LocalCa,
  placed: readonly { service: Service; address: string }[],
  regionOf: (service: Service) => string,
): Promise<StandIn[]> {
  const certificates = await Promise.all(
    placed.map(({ service }) =>
      ca.issue(service.name, [...new Set([service.domain, upstreamNameIn(service, LOCAL_ENVIRONMENT)])]),
    ),
  );
  for (let attempt = 1; ; attempt++) {
    const [httpPort, tlsPort] = (await freePorts(2)) as [number, number];
    const started: StandIn[] = [];
    try {
      for (const [i, { service, address }] of placed.entries()) {
        started.push(
          await startStandIn({
            service,
            address,
            httpPort,
            tlsPort,
            tls: certificates[i] as (typeof certificates)[number],
            region: regionOf(service),
          }),
        );
      }
      for (const standIn of started)
        supervisor.defer(`stop stand-in ${standIn.service.name}`, () => standIn.close());
      return started;
    } catch (error) {
      await Promise.all(started.map((standIn) => standIn.close()));
      const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
      if (!inUse || attempt >= STAND_IN_PORT_ATTEMPTS) throw error;
    }
  }
}

/** nginx stops fast (SIGTERM) with the stack; workers still alive after the master are killed too. */
export function superviseNginx(supervisor: Supervisor, nginx: NginxProcess): void {
  supervisor.track('nginx', nginx.pid);
  supervisor.defer('stop nginx', async () => {
    const workers = childPids(nginx.pid);
    await nginx.stop('SIGTERM', 5_000);
    supervisor.untrack(nginx.pid);
    for (const pid of workers) {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
}
