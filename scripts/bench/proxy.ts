// `npm run bench:proxy`: throughput and latency of the proxy's HTTP path on loopback, in one run so the ratios
// compare like with like on a shared, noisy machine:
// - wrk -> haproxy (send-proxy-v2, the NLB's stand-in) -> nginx -> a stand-in service, for allowlists of 10 to
//   100,000 entries, with the rendered lattice-ingress config and with a reference-design-style config
//   (reference-nginx.conf.hbs: linear allow/deny, `proxy_pass http://$host`), and wrk straight to the stand-in;
// - nginx reloads with a changed allowlist during load, with `Connection: close` and with keepalive clients.
// Prints a table and writes bench-results/proxy.json. Every load run is bounded by wrk's -d; loopback only.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, getPriority, loadavg, release, setPriority, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Handlebars from 'handlebars';
import { type Config, DeploymentSchema, ScalingSchema, ServiceSchema } from '../../src/config/model.ts';
import { type DnsServer, startDnsServer } from '../../src/local/dns.ts';
import { startHaproxy } from '../../src/local/haproxy.ts';
import { type NginxProcess, startNginx } from '../../src/local/nginx.ts';
import { freePorts } from '../../src/local/ports.ts';
import { childPids, cpuTimeMs } from '../../src/local/proc.ts';
import { superviseNginx } from '../../src/local/stack.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { ALLOWLIST_FILE, localRenderTarget, renderProxy, writeRendered } from '../../src/render/render.ts';
import { probe } from '../../src/smoke/probe.ts';
import { allowlistEntries, randomCidrs } from './allowlist.ts';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

const LOOPBACK = '127.0.0.1';
/** The benchmark client, as nginx sees it through the PROXY header: the last allowlist entry. */
const CLIENT_CIDR = '127.0.0.1/32';
const STAND_IN_ADDRESS = '127.0.1.1';
/** Clients use the Lattice name directly, so the reference style's `proxy_pass http://$host` resolves it too. */
const SERVICE = ServiceSchema.parse({
  name: 'bench',
  domain: 'bench-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
  ports: [80],
  auth: 'none',
});
const RELOAD_ALLOWLIST_ENTRIES = 1_000;
const TARGET_RATIO = 0.9;

// ---- options -------------------------------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    sizes: { type: 'string', default: '10,1000,10000,100000' },
    reloads: { type: 'string', default: '4' },
    designs: { type: 'string', default: 'proxy,reference' },
    out: { type: 'string', default: join(ROOT, 'bench-results', 'proxy.json') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:proxy -- [--duration S] [--rounds N] [--warmup S] [--connections N] [--sizes 10,1000,...] [--reloads N] [--designs proxy,reference] [--out FILE]',
  );
  process.exit(0);
}
const settings = {
  durationSeconds: Number(args.duration),
  rounds: Number(args.rounds),
  warmupSeconds: Number(args.warmup),
  connections: Number(args.connections),
  sizes: args.sizes.split(',').map(Number),
  reloads: Number(args.reloads),
};
const designs = args.designs.split(',') as Design[];
if (designs.some((design) => design !== 'proxy' && design !== 'reference'))
  throw new Error('--designs: a comma-separated list of proxy and reference');
for (const [name, value] of Object.entries(settings)) {
  const numbers = Array.isArray(value) ? value : [value];
  if (numbers.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`--${name}: positive integers only`);
}

// ---- wrk -----------------------------------------------------------------------------------------------------

interface WrkReport {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { mean: number; p50: number; p90: number; p99: number; max: number };
}

async function wrk(url: string, seconds: number, headers: Record<string, string> = {}): Promise<WrkReport> {
  const headerArgs = Object.entries({ Host: SERVICE.domain, ...headers }).flatMap(([name, value]) => [
    '-H',
    `${name}: ${value}`,
  ]);
  const { stdout } = await run(
    'wrk',
    [
      '-t1',
      `-c${settings.connections}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      join(HERE, 'wrk-report.lua'),
      ...headerArgs,
      url,
    ],
    { timeout: (seconds + 15) * 1000 },
  );
  const line = stdout.split('\n').find((text) => text.startsWith('WRK_JSON '));
  if (!line) throw new Error(`wrk printed no report:\n${stdout}`);
  return JSON.parse(line.slice('WRK_JSON '.length)) as WrkReport;
}

const errorCount = (report: WrkReport) =>
  report.errors.connect + report.errors.read + report.errors.write + report.errors.timeout;

// ---- the pieces under test -----------------------------------------------------------------------------------

interface Harness {
  supervisor: Supervisor;
  dir: string;
  dns: DnsServer;
  ports: {
    haproxyHttp: number;
    haproxyTls: number;
    http: number;
    tls: number;
    loadBalancerHealth: number;
    health: number;
    standIn: number;
  };
}

const compile = async (file: string) =>
  Handlebars.compile(await readFile(join(HERE, file), 'utf8'), { strict: true, noEscape: true });

function benchConfig(cidrs: readonly string[]): Config {
  return {
    allowlist: { allowAnyAddress: false, entries: allowlistEntries(cidrs) },
    services: { services: [SERVICE] },
    scaling: ScalingSchema.parse({ minTasks: 1, maxTasks: 1 }),
    deployment: DeploymentSchema.parse({
      environments: [
        {
          name: 'bench',
          account: '111122223333',
          region: 'eu-west-1',
          mode: 'private',
          vpcCidr: '10.0.0.0/16',
          github: { repository: 'example-org/lattice-ingress' },
        },
      ],
    }),
  };
}

/** A random allowlist of `size` entries whose last entry is the benchmark client. */
function allowlistOf(size: number, seed: number): string[] {
  return [...randomCidrs(size - 1, seed), CLIENT_CIDR];
}

let instanceCount = 0;

async function startNginxIn(harness: Harness, dir: string): Promise<NginxProcess> {
  const { ports } = harness;
  const nginx = await startNginx({
    dir,
    waitFor: [ports.http, ports.loadBalancerHealth].map((port) => ({ host: LOOPBACK, port })),
    startTimeoutMs: 30_000,
  });
  superviseNginx(harness.supervisor, nginx);
  return nginx;
}

type Design = 'proxy' | 'reference';

/** Renders and starts one nginx under test on the shared ports. */
async function startUnderTest(harness: Harness, design: Design, cidrs: readonly string[]) {
  const dir = join(harness.dir, `${design}-${++instanceCount}`);
  const runtime = join(dir, 'runtime');
  await mkdir(runtime, { recursive: true });
  const { ports } = harness;
  const target = localRenderTarget({
    runtimeDir: runtime,
    listen: {
      address: LOOPBACK,
      http: ports.http,
      tls: ports.tls,
      loadBalancerHealth: ports.loadBalancerHealth,
      health: ports.health,
    },
    resolver: { address: harness.dns.host, port: harness.dns.port },
    upstreamPorts: { http: ports.standIn, tls: ports.standIn },
    upstreamAddresses: { [SERVICE.domain]: STAND_IN_ADDRESS },
    clientHttpPort: ports.haproxyHttp,
    // The client's entry is part of the measured allowlist already.
    extraAllowlist: [],
    accessLog: '/dev/null',
  });
  if (design === 'proxy') {
    await writeRendered(renderProxy(benchConfig(cidrs), target), dir);
  } else {
    const template = await compile('reference-nginx.conf.hbs');
    const conf = template({
      runtime,
      accessLog: '/dev/null',
      address: LOOPBACK,
      httpPort: ports.http,
      healthPort: ports.loadBalancerHealth,
      trustedProxyCidr: '127.0.0.0/8',
      allow: cidrs,
      resolver: harness.dns.address,
      upstreamPort: ports.standIn,
    });
    await writeFile(join(dir, 'nginx.conf'), conf);
  }
  const nginx = await startNginxIn(harness, dir);
  const rewriteAllowlist = async (next: readonly string[]) =>
    writeRendered(
      new Map([[ALLOWLIST_FILE, renderProxy(benchConfig(next), target).get(ALLOWLIST_FILE) as string]]),
      dir,
    );
  return { nginx, dir, rewriteAllowlist };
}

/** Waits until a request through haproxy gets a 200 (its health check has seen the new nginx). */
async function waitUntilServing(harness: Harness): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const outcome = await probe({
      scheme: 'http',
      connectHost: LOOPBACK,
      connectPort: harness.ports.haproxyHttp,
      domain: SERVICE.domain,
      method: 'GET',
      path: '/',
      timeoutMs: 2_000,
    });
    const status = outcome.kind === 'response' ? outcome.status : outcome.failure;
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`no 200 through haproxy (last status ${status})`);
    await sleep(100);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const workerCpuMs = (nginx: NginxProcess) =>
  childPids(nginx.pid).reduce((total, pid) => total + (cpuTimeMs(pid) ?? 0), 0);

// ---- measurements --------------------------------------------------------------------------------------------

interface ThroughputRun {
  name: string;
  design: Design | 'direct';
  entries: number | null;
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  requests: number;
  errors: number;
  non2xx: number;
  /** CPU time of the nginx workers per 1,000 requests (user + system), null for the direct run. */
  nginxCpuMsPer1000: number | null;
  /** Requests/s and nginx CPU ms per 1,000 requests of each round (the reported figures are the best). */
  samples?: number[];
  cpuSamples?: (number | null)[];
}

function summarise(
  name: string,
  design: ThroughputRun['design'],
  entries: number | null,
  report: WrkReport,
  cpuMs?: number,
): ThroughputRun {
  const seconds = report.durationUs / 1e6;
  return {
    name,
    design,
    entries,
    requestsPerSecond: Math.round(report.requests / seconds),
    p99Ms: report.latencyUs.p99 / 1000,
    p50Ms: report.latencyUs.p50 / 1000,
    requests: report.requests,
    errors: errorCount(report),
    non2xx: report.errors.status,
    nginxCpuMsPer1000:
      cpuMs === undefined ? null : Math.round((cpuMs / (report.requests / 1000)) * 100) / 100,
  };
}

/**
 * The least disturbed of the rounds: the one with the highest throughput (its latencies with it) and the lowest nginx
 * CPU per request. Other work on a shared machine only ever slows a round down or inflates its CPU time, so the best
 * round is the closest to what the configuration itself costs. Errors are summed over all rounds.
 */
function best(runs: readonly ThroughputRun[]): ThroughputRun {
  const fastest = [...runs].sort((a, b) => b.requestsPerSecond - a.requestsPerSecond)[0] as ThroughputRun;
  const cpu = runs.flatMap((run) => (run.nginxCpuMsPer1000 === null ? [] : [run.nginxCpuMsPer1000]));
  return {
    ...fastest,
    requests: runs.reduce((total, run) => total + run.requests, 0),
    errors: runs.reduce((total, run) => total + run.errors, 0),
    non2xx: runs.reduce((total, run) => total + run.non2xx, 0),
    nginxCpuMsPer1000: cpu.length > 0 ? Math.min(...cpu) : null,
    samples: runs.map((run) => run.requestsPerSecond),
    cpuSamples: runs.map((run) => run.nginxCpuMsPer1000),
  };
}

async function measureDesign(harness: Harness, design: Design, size: number): Promise<ThroughputRun> {
  const { nginx } = await startUnderTest(harness, design, allowlistOf(size, size));
  try {
    await waitUntilServing(harness);
    const url = `http://${LOOPBACK}:${harness.ports.haproxyHttp}/`;
    await wrk(url, settings.warmupSeconds);
    const before = workerCpuMs(nginx);
    const report = await wrk(url, settings.durationSeconds);
    const cpu = workerCpuMs(nginx) - before;
    return summarise(design === 'proxy' ? 'lattice-ingress' : 'reference style', design, size, report, cpu);
  } finally {
    await nginx.stop('SIGTERM');
  }
}

async function measureDirect(harness: Harness): Promise<ThroughputRun> {
  const url = `http://${STAND_IN_ADDRESS}:${harness.ports.standIn}/`;
  await wrk(url, settings.warmupSeconds);
  return summarise('direct to stand-in', 'direct', null, await wrk(url, settings.durationSeconds));
}

interface ReloadRun {
  clients: 'connection-close' | 'keepalive';
  connections: number;
  reloads: number;
  requests: number;
  non2xx: number;
  errors: WrkReport['errors'];
  /** Socket errors per open connection per reload: about 1 is the idle-close race's floor for keepalive. */
  errorsPerConnectionPerReload: number;
}

async function measureReloads(harness: Harness, clients: ReloadRun['clients']): Promise<ReloadRun> {
  const { nginx, rewriteAllowlist } = await startUnderTest(
    harness,
    'proxy',
    allowlistOf(RELOAD_ALLOWLIST_ENTRIES, 1),
  );
  try {
    await waitUntilServing(harness);
    const seconds = Math.max(settings.durationSeconds, settings.reloads + 2);
    const load = wrk(
      `http://${LOOPBACK}:${harness.ports.haproxyHttp}/`,
      seconds,
      clients === 'connection-close' ? { Connection: 'close' } : {},
    );
    const gapMs = (seconds * 1000) / (settings.reloads + 1);
    for (let reload = 1; reload <= settings.reloads; reload++) {
      await sleep(gapMs);
      await rewriteAllowlist(allowlistOf(RELOAD_ALLOWLIST_ENTRIES, 1 + reload));
      await nginx.reload();
    }
    const report = await load;
    return {
      clients,
      connections: settings.connections,
      reloads: settings.reloads,
      requests: report.requests,
      non2xx: report.errors.status,
      errors: report.errors,
      errorsPerConnectionPerReload:
        Math.round((errorCount(report) / (settings.connections * settings.reloads)) * 100) / 100,
    };
  } finally {
    await nginx.stop('SIGTERM');
  }
}

// ---- report --------------------------------------------------------------------------------------------------

const formatNumber = (value: number) => value.toLocaleString('en-US');
const percent = (ratio: number) => `${Math.round(ratio * 100)}%`;

function table(headings: string[], rows: string[][], rightAligned: Set<number>): string {
  const widths = headings.map((heading, i) =>
    Math.max(heading.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (rightAligned.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headings), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

async function versions() {
  const output = async (command: string, commandArgs: string[]) =>
    run(command, commandArgs).then(
      ({ stdout, stderr }) => `${stdout}${stderr}`,
      (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ''}${error.stderr ?? ''}`,
    );
  const firstLine = (text: string) => text.trim().split('\n')[0]?.trim() ?? '';
  return {
    nginx: firstLine(await output('nginx', ['-v'])).replace(/^nginx version: /, ''),
    haproxy: firstLine(await output('haproxy', ['-v'])),
    wrk: firstLine(await output('wrk', ['--version'])).replace(/\s+Copyright.*$/, ''),
    node: process.version,
  };
}

/**
 * Raises this process's scheduling priority (root only); nginx, haproxy and wrk inherit it. On a shared machine the
 * processes under test then lose fewer time slices to other work, which is most of the run-to-run noise.
 */
function raisePriority(): number {
  try {
    setPriority(PRIORITY);
  } catch {
    // Not permitted (not root): measure at normal priority; the JSON says which.
  }
  return getPriority();
}
const PRIORITY = -10;

async function main(): Promise<void> {
  const supervisor = new Supervisor();
  supervisor.stopOnSignals(() => 130);
  const niceness = raisePriority();
  try {
    const started = performance.now();
    const dir = supervisor.tempDir('lattice-ingress-bench-');
    const [haproxyHttp, haproxyTls, http, tls, loadBalancerHealth, health, standIn] = (await freePorts(
      7,
    )) as [number, number, number, number, number, number, number];
    const dns = await startDnsServer({ records: new Map([[SERVICE.domain, { a: [STAND_IN_ADDRESS] }]]) });
    supervisor.defer('stop the DNS server', () => dns.close());
    const harness: Harness = {
      supervisor,
      dir,
      dns,
      ports: { haproxyHttp, haproxyTls, http, tls, loadBalancerHealth, health, standIn },
    };

    const standInDir = join(dir, 'stand-in');
    await mkdir(standInDir);
    const standInConf = (await compile('static-stand-in.conf.hbs'))({
      runtime: standInDir,
      address: STAND_IN_ADDRESS,
      httpPort: standIn,
      service: SERVICE.name,
    });
    await writeFile(join(standInDir, 'nginx.conf'), standInConf);
    const standInNginx = await startNginx({
      dir: standInDir,
      waitFor: [{ host: STAND_IN_ADDRESS, port: standIn }],
    });
    superviseNginx(supervisor, standInNginx);
    await startHaproxy(supervisor, dir, {
      listen: { address: LOOPBACK, http: haproxyHttp, tls: haproxyTls },
      proxy: { address: LOOPBACK, http, tls, loadBalancerHealth },
    });

    const machine = {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      kernel: release(),
      /** 1-minute load average when the run started: other work on the machine makes the absolute figures move. */
      loadAverageAtStart: Math.round((loadavg()[0] ?? 0) * 10) / 10,
      /** Nice value the processes under test ran at (-10 when the run could raise it). */
      niceness,
      ...(await versions()),
    };
    console.log(
      `Proxy benchmark: ${machine.cores} x ${machine.cpu}, nginx ${machine.nginx}, ${machine.haproxy.replace(/ - .*/, '')}, load average ${machine.loadAverageAtStart}, nice ${niceness}`,
    );
    console.log(
      `wrk -t1 -c${settings.connections}, ${settings.warmupSeconds} s warmup + ${settings.durationSeconds} s per run, best of ${settings.rounds} rounds, loopback\n`,
    );

    // Every scenario once per round, in a rotated order each round, and the best round reported (see best()): a
    // burst of load from elsewhere on the machine spoils one sample rather than one scenario.
    const scenarios: { design: ThroughputRun['design']; size: number | null }[] = [
      { design: 'direct', size: null },
      ...settings.sizes.flatMap((size) => designs.map((design) => ({ design, size }))),
    ];
    const samples = new Map<number, ThroughputRun[]>(scenarios.map((_, i) => [i, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (let step = 0; step < scenarios.length; step++) {
        const index = (step + round) % scenarios.length;
        const { design, size } = scenarios[index] as (typeof scenarios)[number];
        const result =
          design === 'direct'
            ? await measureDirect(harness)
            : await measureDesign(harness, design, size as number);
        samples.get(index)?.push(result);
        const entries = size === null ? '' : ` ${formatNumber(size)} entries`;
        console.log(
          `  round ${round + 1}/${settings.rounds}  ${result.name}${entries}: ${formatNumber(result.requestsPerSecond)} req/s`,
        );
      }
    }
    const throughput = scenarios.map((_, i) => best(samples.get(i) ?? []));
    const reloads: ReloadRun[] = [];
    for (const clients of ['connection-close', 'keepalive'] as const) {
      const result = await measureReloads(harness, clients);
      reloads.push(result);
      console.log(
        `  reloads under load, ${clients}: ${errorCount({ errors: result.errors } as WrkReport)} errors`,
      );
    }

    // Ratios within this run.
    const runFor = (design: Design, size: number | undefined) =>
      throughput.find((result) => result.design === design && result.entries === size);
    const smallest = settings.sizes[0];
    const largest = settings.sizes[settings.sizes.length - 1];
    const scaling = (design: Design) => {
      const small = runFor(design, smallest);
      const large = runFor(design, largest);
      return small && large ? large.requestsPerSecond / small.requestsPerSecond : Number.NaN;
    };
    // The same comparison by nginx's CPU per request: what capacity a busy task keeps, and much less sensitive to
    // other load on the machine than requests/s.
    const cpuScaling = (design: Design) => {
      const small = runFor(design, smallest)?.nginxCpuMsPer1000;
      const large = runFor(design, largest)?.nginxCpuMsPer1000;
      return small && large ? small / large : Number.NaN;
    };
    const rows = throughput.map((result) => {
      const base = result.design === 'direct' ? undefined : runFor(result.design, smallest);
      const reference =
        result.design === 'proxy' ? runFor('reference', result.entries ?? undefined) : undefined;
      return [
        result.name,
        result.entries === null ? '-' : formatNumber(result.entries),
        formatNumber(result.requestsPerSecond),
        result.p99Ms.toFixed(2),
        base ? percent(result.requestsPerSecond / base.requestsPerSecond) : '-',
        reference ? `${(result.requestsPerSecond / reference.requestsPerSecond).toFixed(2)}x` : '-',
        result.nginxCpuMsPer1000 === null ? '-' : result.nginxCpuMsPer1000.toFixed(1),
        String(result.errors + result.non2xx),
      ];
    });
    console.log(
      `\n${table(
        [
          'path',
          'allowlist',
          'req/s',
          'p99 ms',
          `vs ${formatNumber(smallest ?? 0)}`,
          'vs reference',
          'nginx CPU ms/1k req',
          'errors',
        ],
        rows,
        new Set([1, 2, 3, 4, 5, 6, 7]),
      )}`,
    );
    const proxyScaling = scaling('proxy');
    const met = proxyScaling >= TARGET_RATIO;
    console.log(
      [
        '',
        `Allowlist at scale, ${formatNumber(largest ?? 0)} entries against ${formatNumber(smallest ?? 0)}:`,
        `  throughput          lattice-ingress ${percent(proxyScaling)} (target >= ${percent(TARGET_RATIO)}: ${met ? 'met' : 'NOT MET'}), reference style ${percent(scaling('reference'))}`,
        `  nginx CPU/request   lattice-ingress ${percent(cpuScaling('proxy'))} of the capacity, reference style ${percent(cpuScaling('reference'))}`,
      ].join('\n'),
    );
    console.log(
      `\n${table(
        [
          'reloads under load',
          'connections',
          'reloads',
          'requests',
          'non-2xx',
          'socket errors',
          'errors/connection/reload',
        ],
        reloads.map((result) => [
          result.clients,
          String(result.connections),
          String(result.reloads),
          formatNumber(result.requests),
          String(result.non2xx),
          String(errorCount({ errors: result.errors } as WrkReport)),
          result.errorsPerConnectionPerReload.toFixed(2),
        ]),
        new Set([1, 2, 3, 4, 5, 6]),
      )}`,
    );

    const results = {
      date: new Date().toISOString(),
      loadAverageAtEnd: Math.round((loadavg()[0] ?? 0) * 10) / 10,
      machine,
      settings: {
        ...settings,
        reloadAllowlistEntries: RELOAD_ALLOWLIST_ENTRIES,
        path: 'wrk -> haproxy -> nginx -> stand-in',
      },
      throughput,
      ratios: {
        proxyLargestVsSmallest: proxyScaling,
        referenceLargestVsSmallest: scaling('reference'),
        proxyCpuCapacityLargestVsSmallest: cpuScaling('proxy'),
        referenceCpuCapacityLargestVsSmallest: cpuScaling('reference'),
        target: TARGET_RATIO,
        targetMet: met,
        proxiedVsReference: Object.fromEntries(
          settings.sizes.map((size) => {
            const proxy = runFor('proxy', size);
            const reference = runFor('reference', size);
            return [size, proxy && reference ? proxy.requestsPerSecond / reference.requestsPerSecond : null];
          }),
        ),
      },
      reloads,
      elapsedSeconds: Math.round((performance.now() - started) / 1000),
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nWrote ${args.out} (${results.elapsedSeconds} s).`);
    // Throughput moves with the machine's other load; failed requests are a correctness problem.
    const failures = [
      ...throughput
        .filter((run) => run.errors + run.non2xx > 0)
        .map((run) => `${run.name} ${run.entries ?? ''}`),
      ...reloads
        .filter(
          (run) =>
            run.clients === 'connection-close' &&
            errorCount({ errors: run.errors } as WrkReport) + run.non2xx > 0,
        )
        .map(() => 'reloads with Connection: close clients'),
    ];
    if (failures.length > 0) {
      console.error(`Failed requests in: ${failures.join(', ')}`);
      process.exitCode = 1;
    }
  } finally {
    await supervisor.stop();
  }
}

await main();
