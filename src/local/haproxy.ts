// haproxy standing in for the Network Load Balancer: plain TCP passthrough on a TLS and an HTTP listener, a PROXY
// protocol v2 header in front of every connection to the proxy, and an HTTP health check of the proxy's load
// balancer health port behind a PROXY v2 header with the LOCAL command, as the NLB target groups do.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEALTH_CHECK_PATH } from '../contract/proxy-container.ts';
import { waitForPort } from './ports.ts';
import type { StartedProcess, Supervisor } from './supervisor.ts';

export interface HaproxyOptions {
  /** Where clients connect (the load balancer's listeners). */
  listen: { address: string; http: number; tls: number };
  /** The proxy's PROXY-protocol listeners: traffic and the load balancer's health checks. */
  proxy: { address: string; http: number; tls: number; loadBalancerHealth: number };
  /** Seconds between health checks (the NLB's minimum is 5; locally quicker). */
  checkIntervalSeconds?: number;
}

/** The haproxy configuration for the options; pure, so tests can read it. */
export function renderHaproxyConfig(options: HaproxyOptions): string {
  const { listen, proxy, checkIntervalSeconds = 1 } = options;
  const backend = (name: string, port: number) => [
    `backend ${name}`,
    '    option httpchk',
    `    http-check send meth GET uri ${HEALTH_CHECK_PATH} ver HTTP/1.1 hdr Host health`,
    '    http-check expect status 200',
    `    server proxy ${proxy.address}:${port} send-proxy-v2 check port ${proxy.loadBalancerHealth} check-send-proxy inter ${checkIntervalSeconds}s fall 2 rise 2`,
  ];
  return [
    '# haproxy standing in for the NLB (TCP passthrough, PROXY protocol v2, HTTP health check).',
    'global',
    '    maxconn 1024',
    // A low open-files limit then only warns; the local stack needs a few dozen connections.
    '    no strict-limits',
    // Without SO_REUSEPORT a port another process already listens on is an error, not a silently shared port.
    '    noreuseport',
    '',
    'defaults',
    '    mode tcp',
    '    timeout connect 5s',
    '    timeout client 10m',
    '    timeout server 10m',
    '',
    'frontend tls',
    `    bind ${listen.address}:${listen.tls}`,
    '    default_backend proxy_tls',
    '',
    'frontend http',
    `    bind ${listen.address}:${listen.http}`,
    '    default_backend proxy_http',
    '',
    ...backend('proxy_tls', proxy.tls),
    '',
    ...backend('proxy_http', proxy.http),
    '',
  ].join('\n');
}

export interface Haproxy {
  process: StartedProcess;
  listen: HaproxyOptions['listen'];
  configFile: string;
}

/** Writes the config to `dir` and runs haproxy in the foreground under the supervisor until both ports accept. */
export async function startHaproxy(
  supervisor: Supervisor,
  dir: string,
  options: HaproxyOptions,
): Promise<Haproxy> {
  const configFile = join(dir, 'haproxy.cfg');
  await writeFile(configFile, renderHaproxyConfig(options));
  // -db: stay in the foreground, so the supervisor owns the process. SIGUSR1 would drain; the stack stops hard.
  const process = await supervisor.spawn('haproxy', 'haproxy', ['-db', '-f', configFile]);
  const ready = Promise.all([
    waitForPort(options.listen.address, options.listen.http, 10_000),
    waitForPort(options.listen.address, options.listen.tls, 10_000),
  ]);
  const died = process.exited.then((code) => {
    throw new Error(`haproxy exited (${code}) while starting:\n${process.output().trim()}`);
  });
  died.catch(() => {});
  await Promise.race([ready, died]);
  return { process, listen: options.listen, configFile };
}
