// haproxy playing the NLB's target lifecycle for the rollout benchmark: TCP listeners for HTTP and TLS, PROXY
// protocol v2 towards every target, HTTP health checks of each target's load balancer health port with the target
// group's interval and thresholds, and the runtime API (an admin stats socket) to register, drain, reset and remove
// targets while clients keep connecting.
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { HEALTH_CHECK_PATH } from '../../src/contract/proxy-container.ts';
import { waitForPort } from '../../src/local/ports.ts';
import type { Supervisor } from '../../src/local/supervisor.ts';

/** One proxy task as the target groups see it: its PROXY-protocol listeners and its load balancer health port. */
export interface Target {
  name: string;
  address: string;
  http: number;
  tls: number;
  loadBalancerHealth: number;
}

export interface HealthCheck {
  intervalSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

/** The two target groups, one per listener, as haproxy backends. */
export const TARGET_GROUPS = { http: 'targets_http', tls: 'targets_tls' } as const;
type Listener = keyof typeof TARGET_GROUPS;
const LISTENERS = Object.keys(TARGET_GROUPS) as Listener[];

/** The `server` line arguments of a target in one target group, shared by the config file and `add server`. */
export function serverArguments(target: Target, listener: Listener, check: HealthCheck): string {
  return [
    `${target.address}:${target[listener]}`,
    'send-proxy-v2',
    `check port ${target.loadBalancerHealth} check-send-proxy`,
    `inter ${check.intervalSeconds}s rise ${check.healthyThreshold} fall ${check.unhealthyThreshold}`,
  ].join(' ');
}

export function renderLoadBalancerConfig(options: {
  listen: { address: string; http: number; tls: number };
  socket: string;
  targets: readonly Target[];
  check: HealthCheck;
}): string {
  const { listen, socket, targets, check } = options;
  const backend = (listener: Listener) => [
    `backend ${TARGET_GROUPS[listener]}`,
    // roundrobin accepts servers added at run time.
    '    balance roundrobin',
    '    option httpchk',
    `    http-check send meth GET uri ${HEALTH_CHECK_PATH} ver HTTP/1.1 hdr Host health`,
    '    http-check expect status 200',
    ...targets.map((target) => `    server ${target.name} ${serverArguments(target, listener, check)}`),
    '',
  ];
  return [
    'global',
    '    maxconn 4096',
    '    no strict-limits',
    `    stats socket ${socket} level admin`,
    '',
    'defaults',
    '    mode tcp',
    // The NLB's idle timeout for TCP flows ("Idle timeout", Network Load Balancers user guide: 350 seconds).
    '    timeout client 350s',
    '    timeout server 350s',
    '    timeout connect 5s',
    '',
    ...LISTENERS.flatMap((listener) => [
      `frontend ${listener}`,
      `    bind ${listen.address}:${listen[listener]}`,
      `    default_backend ${TARGET_GROUPS[listener]}`,
      '',
    ]),
    ...LISTENERS.flatMap(backend),
  ].join('\n');
}

/** One runtime API command; resolves with haproxy's answer. */
function command(socket: string, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const connection = connect(socket);
    let answer = '';
    connection.setEncoding('utf8');
    connection.on('data', (chunk: string) => {
      answer += chunk;
    });
    connection.once('error', reject);
    connection.once('close', () => resolve(answer.trim()));
    connection.end(`${line}\n`);
  });
}

/** Per server of a backend, its state as `show stat` names it (UP, DOWN, DRAIN, MAINT, ...) and open connections. */
export function parseServerStats(
  csv: string,
  backend: string,
): Map<string, { status: string; connections: number }> {
  const [header, ...rows] = csv.replace(/^# /, '').split('\n');
  const columns = (header ?? '').split(',');
  const [proxy, server, status, current] = ['pxname', 'svname', 'status', 'scur'].map((name) =>
    columns.indexOf(name),
  );
  const stats = new Map<string, { status: string; connections: number }>();
  for (const row of rows) {
    const cells = row.split(',');
    const name = cells[server as number];
    if (cells[proxy as number] === backend && name && name !== 'BACKEND')
      stats.set(name, {
        status: cells[status as number] ?? '',
        connections: Number(cells[current as number]),
      });
  }
  return stats;
}

/** The stats socket may appear after the listeners. */
async function waitForSocket(socket: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await command(socket, 'show info').then(Boolean, () => false))) {
    if (Date.now() > deadline)
      throw new Error(`haproxy's runtime API ${socket} did not answer in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface LoadBalancer {
  /** Registers a target in both target groups; it takes traffic once `healthyThreshold` checks pass. */
  register(target: Target): Promise<void>;
  /** Resolves once every named target is healthy in both target groups. */
  waitHealthy(names: readonly string[], timeoutMs: number): Promise<void>;
  /** Deregistration starts: no new connections to the target, existing ones continue. */
  drain(name: string): Promise<void>;
  /**
   * The end of the deregistration delay with connection termination on: every remaining connection is reset.
   * Resolves with how many there were, per listener.
   */
  terminate(name: string): Promise<Record<Listener, number>>;
}

export async function startLoadBalancer(
  supervisor: Supervisor,
  dir: string,
  options: { listen: { address: string; http: number; tls: number }; targets: Target[]; check: HealthCheck },
): Promise<LoadBalancer> {
  const socket = join(dir, 'haproxy.sock');
  const configFile = join(dir, 'haproxy.cfg');
  await writeFile(configFile, renderLoadBalancerConfig({ ...options, socket }));
  const process = await supervisor.spawn('haproxy', 'haproxy', ['-db', '-f', configFile]);
  const died = process.exited.then((code) => {
    throw new Error(`haproxy exited (${code}):\n${process.output().trim()}`);
  });
  died.catch(() => {});
  await Promise.race([
    Promise.all([
      ...LISTENERS.map((listener) => waitForPort(options.listen.address, options.listen[listener], 10_000)),
      waitForSocket(socket, 10_000),
    ]),
    died,
  ]);

  const run = async (line: string) => {
    const answer = await command(socket, line);
    // Successful state changes answer nothing or a short confirmation; failures name what went wrong.
    if (/^(unknown|no such|require|invalid|error|'.*' expects)/im.test(answer))
      throw new Error(`haproxy runtime API: "${line}" answered: ${answer}`);
    return answer;
  };
  const inEveryGroup = async (name: string, action: (server: string) => string) => {
    for (const backend of Object.values(TARGET_GROUPS)) await run(action(`${backend}/${name}`));
  };
  return {
    async register(target) {
      for (const listener of LISTENERS) {
        const server = `${TARGET_GROUPS[listener]}/${target.name}`;
        // A server added at run time starts in maintenance and leaves it up ("UP 1/2"); a new NLB target starts
        // unhealthy instead and takes connections only after `rise` passing checks. Weight 0 keeps connections
        // away until its health is set down.
        await run(`add server ${server} ${serverArguments(target, listener, options.check)} weight 0`);
        await run(`enable health ${server}`);
        await run(`enable server ${server}`);
        await run(`set server ${server} health down`);
        await run(`set server ${server} weight 1`);
      }
    },
    async waitHealthy(names, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const csv = await run('show stat');
        const healthy = Object.values(TARGET_GROUPS).every((backend) => {
          const stats = parseServerStats(csv, backend);
          return names.every((name) => stats.get(name)?.status === 'UP');
        });
        if (healthy) return;
        if (Date.now() > deadline)
          throw new Error(`targets ${names.join(', ')} not healthy after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    drain: (name) => inEveryGroup(name, (server) => `set server ${server} state drain`),
    async terminate(name) {
      await inEveryGroup(name, (server) => `set server ${server} state maint`);
      const csv = await run('show stat');
      await inEveryGroup(name, (server) => `shutdown sessions server ${server}`);
      const open = (listener: Listener) =>
        parseServerStats(csv, TARGET_GROUPS[listener]).get(name)?.connections ?? 0;
      return { http: open('http'), tls: open('tls') };
    },
  };
}
