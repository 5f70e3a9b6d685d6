// `npm run bench:rollout`: what a full replacement of the proxy fleet costs clients. On loopback, with real parts:
// haproxy stands in for the NLB (PROXY protocol v2, HTTP health checks of the load balancer health port) in front
// of real nginx "tasks" running the rendered configuration, one stand-in service behind them. While clients of
// every kind (rollout-clients.ts) send requests, the target lifecycle of an ECS rolling update is played through
// haproxy's runtime API with the timings of the synthesized Ingress template (infra/rollout-time.ts reads the same):
//   new tasks registered -> healthy after interval x healthy threshold -> old tasks deregistered (draining: no new
//   connections, existing ones continue) -> deregistration delay -> remaining connections reset (connection
//   termination) -> SIGQUIT to the old nginx, which exits within the image's worker_shutdown_timeout.
// Prints a table and writes bench-results/rollout.json. Bounded in time; stops everything it started.
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { comparisonForConfig, workflowPath } from '../../infra/rollout-time.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Config, ServiceSchema, upstreamName } from '../../src/config/model.ts';
import { createLocalCa } from '../../src/local/certificates.ts';
import { startDnsServer } from '../../src/local/dns.ts';
import { type NginxProcess, startNginx } from '../../src/local/nginx.ts';
import { freePorts } from '../../src/local/ports.ts';
import { superviseNginx } from '../../src/local/stack.ts';
import { DELAY_PARAMETER, startStandIn } from '../../src/local/stand-in.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import {
  localRenderTarget,
  MAIN_FILE,
  renderProxy,
  renderTargetFor,
  writeRendered,
} from '../../src/render/render.ts';
import { type LoadBalancer, startLoadBalancer, type Target } from './load-balancer.ts';
import { CLIENT_KINDS, type ClientResult, runClients } from './rollout-clients.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const LOOPBACK = '127.0.0.1';
const STAND_IN_ADDRESS = '127.0.1.1';
const SERVICE = ServiceSchema.parse({
  name: 'bench',
  domain: 'bench.example.com',
  latticeDomain: 'bench-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
  ports: [443, 80],
  auth: 'none',
});

const { values: args } = parseArgs({
  options: {
    config: { type: 'string', default: join(ROOT, 'config') },
    clients: { type: 'string', default: '6' },
    'pause-ms': { type: 'string', default: '30' },
    'service-ms': { type: 'string', default: '20' },
    'settle-seconds': { type: 'string', default: '5' },
    // What if: another deregistration delay than the template's.
    'deregistration-delay': { type: 'string' },
    out: { type: 'string', default: join(ROOT, 'bench-results', 'rollout.json') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:rollout -- [--config DIR] [--clients N per kind] [--pause-ms MS] [--service-ms MS] [--settle-seconds S] [--deregistration-delay S] [--out FILE]',
  );
  process.exit(0);
}
function integer(flag: keyof typeof args): number {
  const value = Number(args[flag]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${flag}: a non-negative integer`);
  return value;
}
const options = {
  clientsPerKind: integer('clients'),
  pauseMs: integer('pause-ms'),
  serviceMs: integer('service-ms'),
  settleSeconds: integer('settle-seconds'),
};

/** The Ingress template's timings for the first environment of the config, and the image's shutdown timeout. */
async function lifecycleTimings(config: Config) {
  const [first] = await comparisonForConfig(args.config, (await workflowPath()).seconds);
  const environment = config.deployment.environments[0];
  if (!first || !environment) throw new Error(`${args.config} names no environment`);
  const settings = first.estimate.settings;
  return {
    environment: first.name,
    tasks: settings.desiredCount,
    batchSize: first.estimate.batchSize,
    check: {
      intervalSeconds: settings.healthCheckIntervalSeconds,
      healthyThreshold: settings.healthyThreshold,
      unhealthyThreshold: settings.unhealthyThreshold,
    },
    deregistrationDelaySeconds:
      args['deregistration-delay'] === undefined
        ? settings.deregistrationDelaySeconds
        : integer('deregistration-delay'),
    workerShutdownTimeoutSeconds: renderTargetFor(environment).shutdownTimeoutSeconds,
    stopTimeoutSeconds: settings.stopTimeoutSeconds,
  };
}

/** The directives that decide how long nginx keeps a client connection, as rendered (top level and http block). */
function connectionTimers(nginxConf: string): string[] {
  const directives =
    /^(?: {4})?((?:keepalive_time|keepalive_timeout|keepalive_requests|worker_shutdown_timeout) [^;]+;)/gm;
  return [...nginxConf.matchAll(directives)].map((match) => match[1] as string);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const supervisor = new Supervisor();
  supervisor.stopOnSignals(() => 130);
  try {
    const loaded = await loadConfig(args.config);
    if (!loaded.config) throw new Error(`${args.config} has errors; run npm run validate`);
    const config: Config = { ...loaded.config, services: { services: [SERVICE] } };
    const timings = await lifecycleTimings(loaded.config);
    console.log(
      `Timings from the ${timings.environment} Ingress template: ${timings.tasks} tasks, batches of ${timings.batchSize}, ` +
        `health check every ${timings.check.intervalSeconds} s (healthy after ${timings.check.healthyThreshold}), ` +
        `deregistration delay ${timings.deregistrationDelaySeconds} s${args['deregistration-delay'] === undefined ? '' : ' (--deregistration-delay)'}, worker_shutdown_timeout ${timings.workerShutdownTimeoutSeconds} s; ` +
        'time factor 1 (real timings).',
    );

    const dir = supervisor.tempDir('lattice-ingress-rollout-');
    const dns = await startDnsServer({
      records: new Map([[upstreamName(SERVICE), { a: [STAND_IN_ADDRESS] }]]),
      ttlSeconds: 1,
    });
    supervisor.defer('stop the DNS server', () => dns.close());
    const ca = await createLocalCa(dir);
    const [standInHttp, standInTls, balancerHttp, balancerTls] = (await freePorts(4)) as [
      number,
      number,
      number,
      number,
    ];
    const standIn = await startStandIn({
      service: SERVICE,
      address: STAND_IN_ADDRESS,
      httpPort: standInHttp,
      tlsPort: standInTls,
      tls: await ca.issue(SERVICE.name, [SERVICE.domain, upstreamName(SERVICE)]),
      region: 'eu-west-1',
    });
    supervisor.defer('stop the stand-in', () => standIn.close());

    const tasks = new Map<string, NginxProcess>();
    let clientTimers: string[] = [];
    const startTask = async (name: string): Promise<Target> => {
      const [http, tls, loadBalancerHealth, health] = (await freePorts(4)) as [
        number,
        number,
        number,
        number,
      ];
      const taskDir = join(dir, name);
      const listen = { address: LOOPBACK, http, tls, loadBalancerHealth, health };
      const target = {
        ...localRenderTarget({
          runtimeDir: join(taskDir, 'runtime'),
          listen,
          resolver: { address: dns.host, port: dns.port },
          upstreamPorts: { http: standInHttp, tls: standInTls },
          upstreamAddresses: { [upstreamName(SERVICE)]: STAND_IN_ADDRESS },
          clientHttpPort: balancerHttp,
          accessLog: '/dev/null',
        }),
        shutdownTimeoutSeconds: timings.workerShutdownTimeoutSeconds,
      };
      await mkdir(target.paths.runtime, { recursive: true });
      const rendered = renderProxy(config, target);
      clientTimers = connectionTimers(rendered.get(MAIN_FILE) ?? '');
      await writeRendered(rendered, taskDir);
      const nginx = await startNginx({
        dir: taskDir,
        waitFor: [http, tls, loadBalancerHealth].map((port) => ({ host: LOOPBACK, port })),
      });
      superviseNginx(supervisor, nginx);
      tasks.set(name, nginx);
      return { name, address: LOOPBACK, http, tls, loadBalancerHealth };
    };

    const oldTasks = await Promise.all(
      Array.from({ length: timings.tasks }, (_, i) => startTask(`old${i + 1}`)),
    );
    console.log(`Client connection timers of the rendered configuration: ${clientTimers.join(' ')}`);
    const balancer = await startLoadBalancer(supervisor, dir, {
      listen: { address: LOOPBACK, http: balancerHttp, tls: balancerTls },
      targets: oldTasks,
      check: timings.check,
    });
    await balancer.waitHealthy(
      oldTasks.map((t) => t.name),
      30_000,
    );

    const startedAt = performance.now();
    const events: { atSeconds: number; event: string }[] = [];
    const note = (event: string) => {
      const atSeconds = Math.round((performance.now() - startedAt) / 100) / 10;
      events.push({ atSeconds, event });
      console.log(`  ${atSeconds.toFixed(1).padStart(5)} s  ${event}`);
    };
    let stopped = false;
    const target = {
      host: LOOPBACK,
      httpPort: balancerHttp,
      tlsPort: balancerTls,
      domain: SERVICE.domain,
      ca: ca.cert,
      path: `/?${DELAY_PARAMETER}=${options.serviceMs}`,
    };
    const load = Promise.all(
      CLIENT_KINDS.map((kind) =>
        runClients(kind, target, {
          count: options.clientsPerKind,
          pauseMs: options.pauseMs,
          startedAt,
          stopped: () => stopped,
        }),
      ),
    );
    let results: ClientResult[];
    try {
      note(`${CLIENT_KINDS.length} client kinds x ${options.clientsPerKind} clients start`);
      await sleep(options.settleSeconds * 1000);
      await replaceEveryTask(balancer, oldTasks, timings, startTask, tasks, note);
      await sleep(options.settleSeconds * 1000);
      note('clients stop');
    } finally {
      stopped = true;
      results = await load;
    }
    const elapsedSeconds = Math.round((performance.now() - startedAt) / 1000);
    printTable(results);
    const output = {
      date: new Date().toISOString(),
      loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 10) / 10,
      timings,
      timeFactor: 1,
      clientTimers,
      clients: options,
      events,
      results: results.map((r) => ({ ...r, failuresPer100k: per100k(r) })),
      elapsedSeconds,
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(output, null, 2)}\n`);
    console.log(`\nWrote ${args.out} (${elapsedSeconds} s).`);
    const missed = results.filter((r, i) => r.failures > 0 && mustNotFail(CLIENT_KINDS[i]));
    if (missed.length > 0) {
      console.error(`Goal missed (0 failed requests) for: ${missed.map((r) => r.kind).join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await supervisor.stop();
  }
}

/**
 * The goals: no failure for any client that retries once, nor for any client that opens a connection per request.
 * A keepalive client without retry can lose the request in flight when the load balancer resets its connection.
 */
function mustNotFail(kind: (typeof CLIENT_KINDS)[number] | undefined): boolean {
  return kind !== undefined && (kind.retry || !kind.keepAlive);
}

/** The ECS rolling update, batch by batch: as many new tasks as the maximum percent allows, then the old ones go. */
async function replaceEveryTask(
  balancer: LoadBalancer,
  oldTasks: Target[],
  timings: Awaited<ReturnType<typeof lifecycleTimings>>,
  startTask: (name: string) => Promise<Target>,
  tasks: Map<string, NginxProcess>,
  note: (event: string) => void,
): Promise<void> {
  const checkMs = timings.check.intervalSeconds * timings.check.healthyThreshold * 1000;
  for (let first = 0; first < oldTasks.length; first += timings.batchSize) {
    const leaving = oldTasks.slice(first, first + timings.batchSize);
    const arriving = await Promise.all(leaving.map((_, i) => startTask(`new${first + i + 1}`)));
    for (const task of arriving) await balancer.register(task);
    note(`${arriving.map((t) => t.name).join(', ')} started and registered`);
    await balancer.waitHealthy(
      arriving.map((t) => t.name),
      checkMs + 30_000,
    );
    note(`${arriving.map((t) => t.name).join(', ')} healthy`);
    for (const task of leaving) await balancer.drain(task.name);
    note(`${leaving.map((t) => t.name).join(', ')} deregistered (draining)`);
    await sleep(timings.deregistrationDelaySeconds * 1000);
    const reset = { http: 0, tls: 0 };
    for (const task of leaving) {
      const open = await balancer.terminate(task.name);
      reset.http += open.http;
      reset.tls += open.tls;
    }
    note(
      `deregistration delay over: ${leaving.map((t) => t.name).join(', ')} reset ${reset.http} HTTP and ${reset.tls} TLS connections`,
    );
    const exits = leaving.map((task) => {
      const nginx = tasks.get(task.name) as NginxProcess;
      // ECS sends SIGKILL stopTimeout after the stop signal.
      return nginx.stop('SIGQUIT', timings.stopTimeoutSeconds * 1000);
    });
    const statuses = await Promise.all(exits);
    note(`${leaving.map((t) => t.name).join(', ')} stopped with SIGQUIT (exit ${statuses.join(', ')})`);
  }
}

const per100k = (r: ClientResult) => (r.requests === 0 ? 0 : Math.round((r.failures / r.requests) * 100_000));

function printTable(results: ClientResult[]): void {
  const header = ['clients', 'requests', 'failed', 'per 100k', 'retried', 'longest gap'];
  const rows = results.map((r) => [
    r.kind,
    String(r.requests),
    String(r.failures),
    String(per100k(r)),
    String(r.retries),
    `${r.longestGapMs} ms`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
      .join('  ');
  console.log(`\n${line(header)}`);
  for (const row of rows) console.log(line(row));
}

await main();
