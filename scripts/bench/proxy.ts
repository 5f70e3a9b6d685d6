// `npm run bench:proxy`: throughput and latency of the proxy's HTTP path on loopback, in one run so the ratios
// compare like with like on a shared, noisy machine:
// - wrk -> haproxy (send-proxy-v2, the NLB's stand-in) -> nginx -> a stand-in service, for allowlists of 10 to
//   100,000 entries, with the rendered lattice-ingress config and with a reference-design-style config
//   (reference-nginx.conf.hbs: linear allow/deny, `proxy_pass http://$host`), with the rendering of an earlier
//   commit (--baseline, 1a04e38 by default: before per-service access and connection limits; see renderer-at.ts),
//   and wrk straight to the stand-in;
// - nginx reloads with a changed allowlist during load, with `Connection: close` and with keepalive clients;
// - the rendered config also as the image ships it (`image` rendering on nginx 1.30 from the forky root setup
//   builds), for the allowlist sizes above;
// - TLS passthrough (curl -> haproxy -> nginx stream -> the stand-in's TLS port) on both nginx builds against curl
//   straight to the stand-in: keepalive requests, a new connection (full handshake) per request, and 1 MiB bodies,
//   with nginx CPU per 1,000 requests, per 1,000 connections and per GB; the baseline commit's rendering on Debian's
//   nginx in the same rounds, for the ratio of today's nginx CPU to its.
// Prints a table and writes bench-results/proxy.json. Every load run is bounded by wrk's -d; loopback only.
import { execFile } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, getPriority, loadavg, release, setPriority, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import Handlebars from 'handlebars';
import { DeploymentSchema, ScalingSchema, ServiceSchema } from '../../src/config/model.ts';
import { createLocalCa } from '../../src/local/certificates.ts';
import { type DnsServer, startDnsServer } from '../../src/local/dns.ts';
import { startHaproxy } from '../../src/local/haproxy.ts';
import { type NginxProcess, startNginx } from '../../src/local/nginx.ts';
import { debianNginx, forkyNginx, type NginxBuild } from '../../src/local/nginx-builds.ts';
import { freePorts } from '../../src/local/ports.ts';
import { childPids, cpuSplitMs, cpuTimeMs } from '../../src/local/proc.ts';
import { superviseNginx } from '../../src/local/stack.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import {
  ALLOWLIST_FILE,
  entrypointCommand,
  type LocalTargetOptions,
  localRenderTarget,
  MAIN_FILE,
  type NginxFlavour,
  renderProxy,
  writeRendered,
} from '../../src/render/render.ts';
import { probe } from '../../src/smoke/probe.ts';
import { randomCidrs } from './allowlist.ts';
import { benchConfig, DEFAULT_BASELINE, SERVICE_INPUT } from './bench-config.ts';
import { getter, type OpenLoopResult, openLoop } from './open-loop.ts';
import { type Renderer, rendererAt } from './renderer-at.ts';
import { roundOrder } from './round-order.ts';

const run = promisify(execFile);
const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

const LOOPBACK = '127.0.0.1';
/** The benchmark client, as nginx sees it through the PROXY header: the last allowlist entry. */
const CLIENT_CIDR = '127.0.0.1/32';
const STAND_IN_ADDRESS = '127.0.1.1';
const SERVICE = ServiceSchema.parse(SERVICE_INPUT);
const RELOAD_ALLOWLIST_ENTRIES = 1_000;
const TARGET_RATIO = 0.9;
/** The HTTP path's requests/s against the reference style's, at every allowlist size, in the same run. */
const REFERENCE_TARGET = 1.8;
/** nginx CPU per new TLS connection, today's rendering over the baseline commit's: no higher than it was. */
const BASELINE_TLS_TARGET = 1;
/** Today's renderer; the baseline commit's is loaded from git when --designs asks for it. */
const CURRENT_RENDERER: Renderer = {
  model: { ServiceSchema, ScalingSchema, DeploymentSchema },
  render: { localRenderTarget, renderProxy },
};

// ---- options -------------------------------------------------------------------------------------------------

const DESIGNS = ['proxy', 'reference', 'baseline'] as const;
type Design = (typeof DESIGNS)[number];

const { values: args } = parseArgs({
  allowNegative: true,
  options: {
    duration: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '1' },
    connections: { type: 'string', default: '32' },
    sizes: { type: 'string', default: '10,1000,10000,100000' },
    reloads: { type: 'string', default: '4' },
    designs: { type: 'string', default: 'proxy,reference,baseline' },
    baseline: { type: 'string', default: DEFAULT_BASELINE },
    nginx: { type: 'string', default: 'debian,image' },
    features: { type: 'boolean', default: true },
    latency: { type: 'boolean', default: true },
    instructions: { type: 'boolean', default: true },
    'instruction-connections': { type: 'string', default: '1000' },
    'latency-seconds': { type: 'string', default: '5' },
    'latency-rates': { type: 'string', default: '1000,5000,20000' },
    'latency-tls-rates': { type: 'string', default: '1000,5000' },
    'latency-handshake-rates': { type: 'string', default: '100,200' },
    'tls-requests': { type: 'string', default: '20000' },
    'tls-connections': { type: 'string', default: '2000' },
    'tls-megabytes': { type: 'string', default: '512' },
    out: { type: 'string', default: join(ROOT, 'bench-results', 'proxy.json') },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(
    'Usage: npm run bench:proxy -- [--duration S] [--rounds N] [--warmup S] [--connections N] [--sizes 10,1000,...] [--reloads N] [--designs proxy,reference,baseline] [--baseline COMMIT] [--nginx debian,image] [--no-features] [--no-latency] [--latency-seconds S] [--latency-rates 1000,...] [--latency-tls-rates 1000,...] [--latency-handshake-rates 100,...] [--tls-requests N] [--tls-connections N] [--tls-megabytes N] [--no-instructions] [--instruction-connections N] [--out FILE]',
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
  tlsRequests: Number(args['tls-requests']),
  tlsConnections: Number(args['tls-connections']),
  tlsMegabytes: Number(args['tls-megabytes']),
  latencySeconds: Number(args['latency-seconds']),
  instructionConnections: Number(args['instruction-connections']),
  latencyRates: args['latency-rates'].split(',').map(Number),
  latencyTlsRates: args['latency-tls-rates'].split(',').map(Number),
  latencyHandshakeRates: args['latency-handshake-rates'].split(',').map(Number),
};
const designs = args.designs.split(',') as Design[];
if (designs.some((design) => !DESIGNS.includes(design)))
  throw new Error(`--designs: a comma-separated list of ${DESIGNS.join(', ')}`);
const baselineCommit = args.baseline;
const flavours = args.nginx.split(',') as NginxFlavour[];
if (flavours.some((flavour) => flavour !== 'debian' && flavour !== 'image'))
  throw new Error('--nginx: a comma-separated list of debian and image');
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
  /** nginx builds to measure the rendered config on: Debian's 1.22 always, 1.30 when setup built it. */
  builds: Map<NginxFlavour, NginxBuild>;
  /** The baseline commit's renderer, when --designs has baseline. */
  baseline?: Renderer;
  /** The CA of the stand-in's TLS certificate (curl --cacert). */
  caFile: string;
  ports: {
    haproxyHttp: number;
    haproxyTls: number;
    http: number;
    tls: number;
    loadBalancerHealth: number;
    health: number;
    standIn: number;
    standInTls: number;
  };
}

const compile = async (file: string) =>
  Handlebars.compile(await readFile(join(HERE, file), 'utf8'), { strict: true, noEscape: true });

/** A random allowlist of `size` entries whose last entry is the benchmark client. */
function allowlistOf(size: number, seed: number): string[] {
  return [...randomCidrs(size - 1, seed), CLIENT_CIDR];
}

// ---- feature costs -------------------------------------------------------------------------------------------

/** The http access log's two lines, the served and the refused one; $1 is where they write. */
const SERVED_AND_REFUSED_LOGS =
  /\n {4}access_log (\S+) lattice_http_served if=\$request_served;\n {4}access_log \S+ lattice_http_refused if=\$request_refusal;/;

/**
 * The rendered HTTP path with one feature switched off, by editing the rendered nginx.conf: the same traffic through
 * each shows what the feature costs in nginx CPU per request. Every edit must change the file, so a template change
 * that moves a feature fails the benchmark instead of measuring nothing.
 */
const FEATURES_OFF: Readonly<Record<string, (conf: string) => string>> = {
  'regex JIT (pcre_jit)': (conf) => replaceOnce(conf, /\npcre_jit on;/, '\npcre_jit off;'),
  'access log': (conf) => replaceOnce(conf, SERVED_AND_REFUSED_LOGS, '\n    access_log off;'),
  'JSON escaping of the log': (conf) => replaceOnce(conf, /(log_format lattice_http_\w+) escape=json/g, '$1'),
  'printable-ASCII log maps': (conf) =>
    replaceOnce(
      replaceOnce(conf, /"host":"\$log_host"/, '"host":"$http_host"'),
      /"path":"\$log_path"/g,
      '"path":"$uri"',
    ),
  // Every line in the served line's format, which names no outcome to compute: what telling served from refused
  // costs a served request.
  'outcome in the log': (conf) =>
    replaceOnce(conf, SERVED_AND_REFUSED_LOGS, '\n    access_log $1 lattice_http_served;'),
  'per-service access map': (conf) =>
    replaceOnce(
      conf,
      /map "\$service_name \$client_group" \$access_refusal \{[^}]*\}/,
      'map $client_group $access_refusal {\n        "" refused-off-list;\n        default "";\n    }',
    ),
  limit_conn: (conf) => replaceOnce(conf, /(\n {8}limit_conn http_clients_\d+ \d+;)+/, ''),
  'refusal locations': (conf) =>
    replaceOnce(
      conf,
      /\n {8}error_page 403 = @refused_off_list;\n {8}error_page 421 = @refused_unknown_name;/,
      '',
    ),
};
type Feature = keyof typeof FEATURES_OFF;

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const next = text.replace(pattern, replacement);
  if (next === text)
    throw new Error(`feature-cost edit ${pattern} no longer matches the rendered nginx.conf`);
  return next;
}

let instanceCount = 0;

async function startNginxIn(
  harness: Harness,
  dir: string,
  build: NginxBuild,
  entrypoint: readonly string[] = [],
): Promise<NginxProcess> {
  const { ports } = harness;
  const nginx = await startNginx({
    dir,
    command: [...entrypoint, ...build.command],
    globals: build.globals,
    waitFor: [ports.http, ports.loadBalancerHealth].map((port) => ({ host: LOOPBACK, port })),
    startTimeoutMs: 30_000,
  });
  superviseNginx(harness.supervisor, nginx);
  return nginx;
}

/** Renders and starts one nginx under test on the shared ports. */
async function startUnderTest(
  harness: Harness,
  design: Design,
  cidrs: readonly string[],
  build: NginxBuild = debianNginx(),
  featureOff?: Feature,
  /** A program nginx runs under (callgrind for the instruction counts). */
  runUnder: readonly string[] = [],
) {
  const dir = join(harness.dir, `${design}-${++instanceCount}`);
  const runtime = join(dir, 'runtime');
  await mkdir(runtime, { recursive: true });
  const { ports } = harness;
  const targetOptions: LocalTargetOptions = {
    runtimeDir: runtime,
    listen: {
      address: LOOPBACK,
      http: ports.http,
      tls: ports.tls,
      loadBalancerHealth: ports.loadBalancerHealth,
      health: ports.health,
    },
    resolver: { address: harness.dns.host, port: harness.dns.port },
    upstreamPorts: { http: ports.standIn, tls: ports.standInTls },
    upstreamAddresses: { [SERVICE.domain]: STAND_IN_ADDRESS },
    clientHttpPort: ports.haproxyHttp,
    // The client's entry is part of the measured allowlist already.
    extraAllowlist: [],
    accessLog: '/dev/null',
    flavour: build.flavour,
  };
  const renderFiles = (allowed: readonly string[]) => {
    const renderer = design === 'baseline' ? harness.baseline : CURRENT_RENDERER;
    if (!renderer) throw new Error(`no renderer for the ${design} design`);
    const target = renderer.render.localRenderTarget(targetOptions);
    return renderer.render.renderProxy(benchConfig(allowed, renderer), target);
  };
  // The image rendering starts through its entrypoint, which opens the health checks once nginx can forward.
  let entrypoint: string[] = [];
  if (design !== 'reference') {
    const files = renderFiles(cidrs);
    if (featureOff)
      files.set(
        MAIN_FILE,
        (FEATURES_OFF[featureOff] as (conf: string) => string)(files.get(MAIN_FILE) as string),
      );
    await writeRendered(files, dir);
    entrypoint = entrypointCommand(files, dir);
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
  const nginx = await startNginxIn(harness, dir, build, [...runUnder, ...entrypoint]);
  const rewriteAllowlist = async (next: readonly string[]) =>
    writeRendered(new Map([[ALLOWLIST_FILE, renderFiles(next).get(ALLOWLIST_FILE) as string]]), dir);
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

/** The workers' CPU in user space and in the kernel, in clock ticks (coarse: for runs of a second or more). */
const workerCpuSplitMs = (nginx: NginxProcess) =>
  childPids(nginx.pid).reduce(
    (total, pid) => {
      const split = cpuSplitMs(pid);
      return split
        ? { userMs: total.userMs + split.userMs, systemMs: total.systemMs + split.systemMs }
        : total;
    },
    { userMs: 0, systemMs: 0 },
  );

/** The share of the workers' CPU since `before` that was spent in user space; null when no tick fell in between. */
function userShareSince(nginx: NginxProcess, before: { userMs: number; systemMs: number }): number | null {
  const after = workerCpuSplitMs(nginx);
  const userMs = after.userMs - before.userMs;
  const totalMs = userMs + after.systemMs - before.systemMs;
  return totalMs > 0 ? Math.round((userMs / totalMs) * 100) / 100 : null;
}

// ---- measurements --------------------------------------------------------------------------------------------

interface ThroughputRun {
  name: string;
  design: Design | 'direct';
  /** The rendering (and nginx build) of a proxied run, null for the direct run. */
  nginx: NginxFlavour | null;
  entries: number | null;
  /** The feature switched off for a feature-cost run. */
  featureOff?: Feature;
  requestsPerSecond: number;
  p99Ms: number;
  p50Ms: number;
  requests: number;
  errors: number;
  /** wrk's socket errors by kind (of all rounds, once summed by best()): which kind says where to look. */
  socketErrors: WrkReport['errors'];
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
  nginx: NginxFlavour | null = null,
): ThroughputRun {
  const seconds = report.durationUs / 1e6;
  return {
    name,
    design,
    nginx,
    entries,
    requestsPerSecond: Math.round(report.requests / seconds),
    p99Ms: report.latencyUs.p99 / 1000,
    p50Ms: report.latencyUs.p50 / 1000,
    requests: report.requests,
    errors: errorCount(report),
    socketErrors: report.errors,
    non2xx: report.errors.status,
    nginxCpuMsPer1000:
      cpuMs === undefined ? null : Math.round((cpuMs / (report.requests / 1000)) * 100) / 100,
  };
}

function sumErrors(all: readonly WrkReport['errors'][]): WrkReport['errors'] {
  const total = { connect: 0, read: 0, write: 0, status: 0, timeout: 0 };
  for (const errors of all)
    for (const kind of Object.keys(total) as (keyof typeof total)[]) total[kind] += errors[kind];
  return total;
}

/** " (socket errors: read 12, timeout 3)" for a run that had any, for the progress line. */
function errorKinds(run: ThroughputRun): string {
  const kinds = Object.entries(run.socketErrors).filter(([kind, count]) => kind !== 'status' && count > 0);
  return kinds.length === 0
    ? ''
    : ` (socket errors: ${kinds.map(([kind, count]) => `${kind} ${count}`).join(', ')})`;
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
    socketErrors: sumErrors(runs.map((run) => run.socketErrors)),
    non2xx: runs.reduce((total, run) => total + run.non2xx, 0),
    nginxCpuMsPer1000: cpu.length > 0 ? Math.min(...cpu) : null,
    samples: runs.map((run) => run.requestsPerSecond),
    cpuSamples: runs.map((run) => run.nginxCpuMsPer1000),
  };
}

async function measureDesign(
  harness: Harness,
  design: Design,
  size: number,
  build: NginxBuild,
  featureOff?: Feature,
): Promise<ThroughputRun> {
  const { nginx } = await startUnderTest(harness, design, allowlistOf(size, size), build, featureOff);
  try {
    await waitUntilServing(harness);
    const url = `http://${LOOPBACK}:${harness.ports.haproxyHttp}/`;
    await wrk(url, settings.warmupSeconds);
    const before = workerCpuMs(nginx);
    const report = await wrk(url, settings.durationSeconds);
    const cpu = workerCpuMs(nginx) - before;
    const run = summarise(
      featureOff ? `without ${featureOff}` : designName(design, build.flavour),
      design,
      size,
      report,
      cpu,
      build.flavour,
    );
    return featureOff ? { ...run, featureOff } : run;
  } finally {
    await nginx.stop('SIGTERM');
  }
}

function designName(design: Design, flavour: NginxFlavour): string {
  if (design === 'reference') return 'reference style';
  const name = design === 'baseline' ? `lattice-ingress at ${baselineCommit}` : 'lattice-ingress';
  return flavour === 'image' ? `${name}, image on 1.30` : name;
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

// ---- TLS passthrough ------------------------------------------------------------------------------------------

type TlsMode = 'keepalive' | 'new-connection' | 'bulk';
const TLS_MODES: readonly TlsMode[] = ['keepalive', 'new-connection', 'bulk'];
const BIG_BODY_BYTES = 2 ** 20;

type TlsDesign = 'proxy' | 'baseline';

interface TlsRun {
  /** direct: curl to the stand-in; otherwise the nginx rendering in between (behind haproxy). */
  path: 'direct' | NginxFlavour;
  /** Whose rendering: today's or the baseline commit's; null for the direct path. */
  design: TlsDesign | null;
  mode: TlsMode;
  transfers: number;
  /** Transfers per second: requests (keepalive, bulk) or connections (new-connection). */
  perSecond: number;
  megabytesPerSecond: number;
  failures: number;
  /** nginx worker CPU per 1,000 transfers (keepalive, new-connection) or per GB (bulk); null for the direct path. */
  nginxCpuMsPer1000: number | null;
  nginxCpuMsPerGB: number | null;
  /**
   * The share of that CPU spent in nginx's own code rather than the kernel's (sockets, TCP), from clock ticks; the
   * rest is what every rendering pays alike. The mean of the rounds in the report; null for the direct path.
   */
  nginxUserShare: number | null;
  /** nginx CPU per 1,000 transfers (per GB in bulk) of each round, in round order (the reported figure is the lowest). */
  cpuSamples?: (number | null)[];
}

/**
 * curl's parallel mode over one config file of `count` URLs: keepalive reuses up to --connections connections;
 * new-connection asks the server to close after each answer and keeps no TLS session, so every request is a new
 * TCP connection with a full handshake; bulk fetches the stand-in's 1 MiB file over keepalive connections.
 */
async function curlTls(harness: Harness, mode: TlsMode, address: string, port: number, count: number) {
  const configFile = join(harness.dir, `curl-${mode}-${count}.conf`);
  const url = `https://${SERVICE.domain}:${port}${mode === 'bulk' ? '/big' : '/'}`;
  await writeFile(configFile, `url = "${url}"\noutput = "/dev/null"\n`.repeat(count));
  const started = performance.now();
  const { stdout } = await run(
    'curl',
    [
      '--silent',
      '--parallel',
      '--parallel-max',
      String(settings.connections),
      '--cacert',
      harness.caFile,
      '--resolve',
      `${SERVICE.domain}:${port}:${address}`,
      '--write-out',
      '%{http_code} %{size_download}\n',
      ...(mode === 'new-connection' ? ['--header', 'Connection: close', '--no-sessionid'] : []),
      '--config',
      configFile,
    ],
    { maxBuffer: 64 * 2 ** 20, timeout: 600_000 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  const seconds = (performance.now() - started) / 1000;
  const answers = stdout.trim().split('\n').filter(Boolean);
  const ok = answers.filter((line) => line.startsWith('200 '));
  const bytes = ok.reduce((total, line) => total + Number(line.split(' ')[1]), 0);
  return { transfers: ok.length, failures: count - ok.length, seconds, bytes };
}

function tlsCount(mode: TlsMode): number {
  if (mode === 'keepalive') return settings.tlsRequests;
  return mode === 'new-connection' ? settings.tlsConnections : settings.tlsMegabytes;
}

async function measureTls(
  harness: Harness,
  mode: TlsMode,
  path: TlsRun['path'],
  under?: { nginx: NginxProcess; design: TlsDesign },
): Promise<TlsRun> {
  const nginx = under?.nginx;
  const [address, port] =
    path === 'direct' ? [STAND_IN_ADDRESS, harness.ports.standInTls] : [LOOPBACK, harness.ports.haproxyTls];
  await curlTls(harness, mode, address, port, Math.max(1, Math.round(tlsCount(mode) / 10)));
  const before = nginx ? workerCpuMs(nginx) : 0;
  const splitBefore = nginx ? workerCpuSplitMs(nginx) : undefined;
  const result = await curlTls(harness, mode, address, port, tlsCount(mode));
  const cpuMs = nginx ? workerCpuMs(nginx) - before : undefined;
  const userShare = nginx && splitBefore ? userShareSince(nginx, splitBefore) : null;
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    path,
    design: under?.design ?? null,
    mode,
    transfers: result.transfers,
    perSecond: Math.round(result.transfers / result.seconds),
    megabytesPerSecond: round(result.bytes / 2 ** 20 / result.seconds),
    failures: result.failures,
    // Per 1,000 requests or connections where those dominate, per GB where the bytes do.
    nginxCpuMsPer1000:
      cpuMs === undefined || mode === 'bulk' ? null : round(cpuMs / (result.transfers / 1000)),
    nginxCpuMsPerGB: cpuMs === undefined || mode !== 'bulk' ? null : round(cpuMs / (result.bytes / 2 ** 30)),
    nginxUserShare: userShare,
  };
}

async function measureTlsDirect(harness: Harness): Promise<TlsRun[]> {
  const runs: TlsRun[] = [];
  for (const mode of TLS_MODES) runs.push(await measureTls(harness, mode, 'direct'));
  return runs;
}

/** Waits until a TLS request through haproxy gets a 200 (haproxy's check has seen the new nginx). */
async function waitUntilServingTls(harness: Harness): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await curlTls(harness, 'keepalive', LOOPBACK, harness.ports.haproxyTls, 1)).transfers === 0) {
    if (Date.now() > deadline) throw new Error('no TLS answer through haproxy');
    await sleep(200);
  }
}

async function measureTlsProxied(harness: Harness, build: NginxBuild, design: TlsDesign): Promise<TlsRun[]> {
  const { nginx } = await startUnderTest(harness, design, allowlistOf(10, 10), build);
  try {
    await waitUntilServingTls(harness);
    const runs: TlsRun[] = [];
    for (const mode of TLS_MODES)
      runs.push(await measureTls(harness, mode, build.flavour, { nginx, design }));
    return runs;
  } finally {
    await nginx.stop('SIGTERM');
  }
}

const meanOf = (values: readonly number[]) =>
  values.length > 0 ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100 : null;

/** The best of the rounds for each path, design and mode: highest rate, lowest nginx CPU (see best()). */
function bestTls(runs: readonly TlsRun[]): TlsRun[] {
  const keyOf = (run: TlsRun) => `${run.path} ${run.design} ${run.mode}`;
  const keys = [...new Set(runs.map(keyOf))];
  return keys.map((key) => {
    const same = runs.filter((run) => keyOf(run) === key);
    const fastest = [...same].sort((a, b) => b.perSecond - a.perSecond)[0] as TlsRun;
    const lowest = (pick: (run: TlsRun) => number | null) => {
      const values = same.flatMap((run) => (pick(run) === null ? [] : [pick(run) as number]));
      return values.length > 0 ? Math.min(...values) : null;
    };
    return {
      ...fastest,
      failures: same.reduce((total, run) => total + run.failures, 0),
      nginxCpuMsPer1000: lowest((run) => run.nginxCpuMsPer1000),
      nginxCpuMsPerGB: lowest((run) => run.nginxCpuMsPerGB),
      nginxUserShare: meanOf(
        same.flatMap((run) => (run.nginxUserShare === null ? [] : [run.nginxUserShare])),
      ),
      cpuSamples: same.map((run) => run.nginxCpuMsPer1000 ?? run.nginxCpuMsPerGB),
    };
  });
}

// ---- instructions per connection and per request (callgrind) ------------------------------------------------

/**
 * nginx's own instructions per new TLS connection and per HTTP request (10 entries, Debian's nginx). callgrind counts
 * instructions, not time: the count is the same on a busy machine as on an idle one, where the CPU time of the runs
 * above moves by more than the renderings differ. User space only: the kernel's network work, much the same for
 * every rendering, is not in it.
 */
type CountedUnit = 'new TLS connection' | 'HTTP request';

interface InstructionCount {
  design: Design;
  unit: CountedUnit;
  /** The extra units of the longer of two runs, whose extra instructions are divided by them. */
  units: number;
  perUnit: number;
}

/**
 * All instructions of one nginx under callgrind (master and workers, start to exit) that served `amount` new TLS
 * connections or `amount` seconds of wrk's HTTP requests, and how many units that was.
 */
async function instructionsServing(
  harness: Harness,
  design: Design,
  unit: CountedUnit,
  amount: number,
): Promise<{ instructions: number; served: number }> {
  const outDir = join(harness.dir, `callgrind-${design}-${unit.replaceAll(' ', '-')}-${amount}`);
  await mkdir(outDir);
  // The workers run as nginx's unprivileged user and write their own counts.
  await chmod(outDir, 0o777);
  const callgrind = [
    'valgrind',
    '--tool=callgrind',
    '--trace-children=yes',
    `--callgrind-out-file=${join(outDir, 'callgrind.%p')}`,
  ];
  const { nginx } = await startUnderTest(
    harness,
    design,
    allowlistOf(10, 10),
    debianNginx(),
    undefined,
    callgrind,
  );
  let served: number;
  try {
    if (unit === 'new TLS connection') {
      await waitUntilServingTls(harness);
      const { failures } = await curlTls(
        harness,
        'new-connection',
        LOOPBACK,
        harness.ports.haproxyTls,
        amount,
      );
      if (failures > 0) throw new Error(`${failures} of ${amount} TLS connections failed under callgrind`);
      served = amount;
    } else {
      await waitUntilServing(harness);
      const report = await wrk(`http://${LOOPBACK}:${harness.ports.haproxyHttp}/`, amount);
      if (errorCount(report) + report.errors.status > 0)
        throw new Error('HTTP requests failed under callgrind');
      served = report.requests;
    }
  } finally {
    // A graceful stop: a worker writes its count when it exits, and nothing does when it is killed.
    await nginx.stop('SIGQUIT', 120_000);
  }
  let instructions = 0;
  for (const file of await readdir(outDir)) {
    const counted = /^(?:summary|totals): (\d+)$/m.exec(await readFile(join(outDir, file), 'utf8'));
    if (!counted) throw new Error(`no instruction count in ${file} (was the process killed?)`);
    instructions += Number(counted[1]);
  }
  return { instructions, served };
}

/**
 * Two runs of different length (connections for TLS, seconds of wrk for HTTP), so what starting, waiting and
 * stopping cost cancels out.
 */
async function instructionsPer(
  harness: Harness,
  design: Design,
  unit: CountedUnit,
): Promise<InstructionCount> {
  const tls = unit === 'new TLS connection';
  const shorter = tls ? Math.max(1, Math.round(settings.instructionConnections / 4)) : 1;
  const longer = tls ? shorter + settings.instructionConnections : 3;
  const few = await instructionsServing(harness, design, unit, shorter);
  const more = await instructionsServing(harness, design, unit, longer);
  const units = more.served - few.served;
  return { design, unit, units, perUnit: Math.round((more.instructions - few.instructions) / units) };
}

async function valgrindMissing(): Promise<string | undefined> {
  return run('valgrind', ['--version']).then(
    () => undefined,
    () => 'valgrind is not installed (apt-get install valgrind)',
  );
}

// ---- added latency --------------------------------------------------------------------------------------------

const LATENCY_MODES = [
  { mode: 'HTTP keepalive', scheme: 'http', keepAlive: true, rates: () => settings.latencyRates },
  { mode: 'TLS keepalive', scheme: 'https', keepAlive: true, rates: () => settings.latencyTlsRates },
  {
    mode: 'TLS new connection',
    scheme: 'https',
    keepAlive: false,
    rates: () => settings.latencyHandshakeRates,
  },
] as const;

interface LatencyRun {
  mode: (typeof LATENCY_MODES)[number]['mode'];
  direct: OpenLoopResult;
  proxied: OpenLoopResult;
  /** Proxied minus direct, per percentile: what haproxy and nginx add at this rate. */
  addedMs: { p50: number; p99: number; p999: number };
}

/**
 * Open-loop requests at fixed rates through haproxy -> nginx -> stand-in and straight to the stand-in, one after
 * the other at each rate; each run is bounded by --latency-seconds (plus the last answers).
 */
async function measureLatency(harness: Harness): Promise<LatencyRun[]> {
  const ca = await readFile(harness.caFile);
  const { nginx } = await startUnderTest(harness, 'proxy', allowlistOf(10, 10));
  try {
    await waitUntilServing(harness);
    await waitUntilServingTls(harness);
    const runs: LatencyRun[] = [];
    for (const { mode, scheme, keepAlive, rates } of LATENCY_MODES) {
      const target = (proxied: boolean) => ({
        host: proxied ? LOOPBACK : STAND_IN_ADDRESS,
        port: proxied
          ? scheme === 'http'
            ? harness.ports.haproxyHttp
            : harness.ports.haproxyTls
          : scheme === 'http'
            ? harness.ports.standIn
            : harness.ports.standInTls,
        domain: SERVICE.domain,
      });
      for (const rate of rates()) {
        const measure = (proxied: boolean) =>
          openLoop(rate, settings.latencySeconds, getter(scheme, target(proxied), { keepAlive, ca }));
        const direct = await measure(false);
        const proxied = await measure(true);
        const added = (pick: (result: OpenLoopResult) => number) =>
          Math.round((pick(proxied) - pick(direct)) * 100) / 100;
        runs.push({
          mode,
          direct,
          proxied,
          addedMs: { p50: added((r) => r.p50Ms), p99: added((r) => r.p99Ms), p999: added((r) => r.p999Ms) },
        });
        console.log(`  latency ${mode} at ${formatNumber(rate)}/s measured`);
      }
    }
    return runs;
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

const times = (ratio: number | null | undefined) => (ratio == null ? '-' : `${ratio.toFixed(2)}x`);

/** a / b, or null when either is missing (a design left out of --designs, a failed run). */
const ratioOf = (a: number | null | undefined, b: number | null | undefined) =>
  a != null && b ? a / b : null;

/**
 * The lowest and highest of a / b within each round: both were measured in the same round, minutes apart at most,
 * so the spread says how far the machine moved the ratio, and whether a ratio near a target is within it.
 */
function perRound(
  a: readonly (number | null)[] | undefined,
  b: readonly (number | null)[] | undefined,
): { low: number; high: number } | null {
  const ratios = (a ?? []).flatMap((value, round) => {
    const ratio = ratioOf(value, b?.[round]);
    return ratio === null ? [] : [ratio];
  });
  return ratios.length > 0 ? { low: Math.min(...ratios), high: Math.max(...ratios) } : null;
}

const spread = (range: { low: number; high: number } | null | undefined) =>
  range ? ` (rounds ${times(range.low)}-${times(range.high)})` : '';

/**
 * The issue's comparisons, all within this run: the HTTP path's requests/s over the reference style's, and today's
 * nginx CPU over the baseline commit's, per 1,000 HTTP requests at each allowlist size and per TLS mode (per 1,000
 * transfers, per GB in bulk), both renderings on Debian's nginx.
 */
function compare(throughput: readonly ThroughputRun[], tlsRuns: readonly TlsRun[]) {
  const http = (design: Design, size: number) =>
    throughput.find((run) => run.design === design && run.entries === size && run.nginx !== 'image');
  const tls = (design: TlsDesign, mode: TlsMode) =>
    tlsRuns.find((run) => run.design === design && run.path === 'debian' && run.mode === mode);
  const bySize = (ratio: (size: number) => number | null) =>
    Object.fromEntries(settings.sizes.map((size) => [size, ratio(size)])) as Record<number, number | null>;
  const bySizeRange = (range: (size: number) => ReturnType<typeof perRound>) =>
    Object.fromEntries(settings.sizes.map((size) => [size, range(size)])) as Record<
      number,
      ReturnType<typeof perRound>
    >;
  const proxiedVsReference = bySize((size) =>
    ratioOf(http('proxy', size)?.requestsPerSecond, http('reference', size)?.requestsPerSecond),
  );
  const tlsCpu = Object.fromEntries(
    TLS_MODES.map((mode) => {
      const cost = (run: TlsRun | undefined) =>
        mode === 'bulk' ? run?.nginxCpuMsPerGB : run?.nginxCpuMsPer1000;
      return [mode, ratioOf(cost(tls('proxy', mode)), cost(tls('baseline', mode)))];
    }),
  ) as Record<TlsMode, number | null>;
  const referenceRatios = Object.values(proxiedVsReference);
  const newConnection = tlsCpu['new-connection'];
  return {
    proxiedVsReference,
    proxiedVsReferencePerRound: bySizeRange((size) =>
      perRound(http('proxy', size)?.samples, http('reference', size)?.samples),
    ),
    tlsNewConnectionPerRound: perRound(
      tls('proxy', 'new-connection')?.cpuSamples,
      tls('baseline', 'new-connection')?.cpuSamples,
    ),
    referenceTargetMet: referenceRatios.every((ratio) => ratio !== null && ratio >= REFERENCE_TARGET),
    httpCpuPer1000Requests: bySize((size) =>
      ratioOf(http('proxy', size)?.nginxCpuMsPer1000, http('baseline', size)?.nginxCpuMsPer1000),
    ),
    tlsCpu,
    tlsNewConnectionTargetMet: newConnection === null ? null : newConnection <= BASELINE_TLS_TARGET,
  };
}

/** Instructions per unit of `design` over `over`'s. */
function instructionRatio(
  counts: readonly InstructionCount[],
  unit: CountedUnit,
  design: Design,
  over: Design,
): number | null {
  const of = (which: Design) =>
    counts.find((count) => count.unit === unit && count.design === which)?.perUnit;
  return ratioOf(of(design), of(over));
}

function verdicts(
  comparison: ReturnType<typeof compare>,
  instructions: readonly InstructionCount[],
  instructionsSkipped: string | undefined,
): string[] {
  const verdict = (met: boolean | null) => (met === null ? 'not measured' : met ? 'met' : 'NOT MET');
  const perSize = (
    ratios: Record<number, number | null>,
    ranges?: Record<number, ReturnType<typeof perRound>>,
  ) =>
    settings.sizes
      .map((size) => `${times(ratios[size])}${spread(ranges?.[size])} at ${formatNumber(size)}`)
      .join(', ');
  const referenceMeasured = designs.includes('proxy') && designs.includes('reference');
  const lines: [string, string][] = [
    [
      'HTTP req/s, lattice-ingress over reference style',
      `${perSize(comparison.proxiedVsReference, comparison.proxiedVsReferencePerRound)} (target >= ${REFERENCE_TARGET}x at every size: ${verdict(referenceMeasured ? comparison.referenceTargetMet : null)})`,
    ],
    [
      `nginx CPU per new TLS connection, over ${baselineCommit}`,
      `${times(comparison.tlsCpu['new-connection'])}${spread(comparison.tlsNewConnectionPerRound)} (target <= ${BASELINE_TLS_TARGET.toFixed(2)}x: ${verdict(comparison.tlsNewConnectionTargetMet)})`,
    ],
    ...(['new TLS connection', 'HTTP request'] as const).flatMap((unit): [string, string][] => {
      const of = (design: Design) =>
        instructions.find((count) => count.unit === unit && count.design === design);
      const counted = (design: Design) =>
        `${formatNumber(of(design)?.perUnit ?? 0)} over ${formatNumber(of(design)?.units ?? 0)}`;
      const lines: [string, string][] = [
        [
          `nginx instructions per ${unit}, over ${baselineCommit}`,
          instructionsSkipped
            ? `not counted: ${instructionsSkipped}`
            : `${times(instructionRatio(instructions, unit, 'proxy', 'baseline'))} (${counted('proxy')} / ${counted('baseline')}; callgrind, user space)`,
        ],
      ];
      if (unit === 'HTTP request' && of('reference'))
        lines.push([
          'nginx instructions per HTTP request, reference style over lattice-ingress',
          `${times(instructionRatio(instructions, unit, 'reference', 'proxy'))} (${counted('reference')})`,
        ]);
      return lines;
    }),
    [`nginx CPU per 1,000 HTTP requests, over ${baselineCommit}`, perSize(comparison.httpCpuPer1000Requests)],
    [`nginx CPU per TLS keepalive request, over ${baselineCommit}`, times(comparison.tlsCpu.keepalive)],
    [`nginx CPU per GB of TLS, over ${baselineCommit}`, times(comparison.tlsCpu.bulk)],
  ];
  const width = Math.max(...lines.map(([label]) => label.length));
  return ['Same-run targets:', ...lines.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`)];
}

async function main(): Promise<void> {
  const supervisor = new Supervisor();
  supervisor.stopOnSignals(() => 130);
  const niceness = raisePriority();
  try {
    const started = performance.now();
    const dir = supervisor.tempDir('lattice-ingress-bench-');
    const [haproxyHttp, haproxyTls, http, tls, loadBalancerHealth, health, standIn, standInTls] =
      (await freePorts(8)) as [number, number, number, number, number, number, number, number];
    const dns = await startDnsServer({ records: new Map([[SERVICE.domain, { a: [STAND_IN_ADDRESS] }]]) });
    supervisor.defer('stop the DNS server', () => dns.close());
    const ca = await createLocalCa(dir);
    const keyPair = await ca.issue('stand-in', [SERVICE.domain]);
    const builds = new Map<NginxFlavour, NginxBuild>([['debian', debianNginx()]]);
    if (flavours.includes('image')) {
      const forky = forkyNginx();
      if ('unavailable' in forky)
        console.warn(`Skipping the image rendering on nginx 1.30: ${forky.unavailable}`);
      else builds.set('image', forky);
    }
    const harness: Harness = {
      supervisor,
      dir,
      dns,
      builds,
      baseline: designs.includes('baseline')
        ? await rendererAt(ROOT, baselineCommit, join(dir, 'baseline-source'))
        : undefined,
      caFile: ca.certFile,
      ports: { haproxyHttp, haproxyTls, http, tls, loadBalancerHealth, health, standIn, standInTls },
    };

    const standInDir = join(dir, 'stand-in');
    await mkdir(standInDir);
    const bigFile = join(standInDir, 'big');
    await writeFile(bigFile, Buffer.alloc(BIG_BODY_BYTES, 'x'));
    const standInConf = (await compile('static-stand-in.conf.hbs'))({
      runtime: standInDir,
      address: STAND_IN_ADDRESS,
      httpPort: standIn,
      tlsPort: standInTls,
      certFile: keyPair.certFile,
      keyFile: keyPair.keyFile,
      bigFile,
      service: SERVICE.name,
    });
    await writeFile(join(standInDir, 'nginx.conf'), standInConf);
    const standInNginx = await startNginx({
      dir: standInDir,
      waitFor: [
        { host: STAND_IN_ADDRESS, port: standIn },
        { host: STAND_IN_ADDRESS, port: standInTls },
      ],
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
      nginxImage: builds.get('image')?.label ?? null,
    };
    console.log(
      `Proxy benchmark: ${machine.cores} x ${machine.cpu}, nginx ${machine.nginx}, ${machine.haproxy.replace(/ - .*/, '')}, load average ${machine.loadAverageAtStart}, nice ${niceness}; image rendering on ${machine.nginxImage ?? 'none'}`,
    );
    console.log(
      `wrk -t1 -c${settings.connections}, ${settings.warmupSeconds} s warmup + ${settings.durationSeconds} s per run, best of ${settings.rounds} rounds, loopback\n`,
    );

    // Every scenario once per round, in another order each round (round-order.ts: each runs right after every other
    // as often), and the best round reported (see best()): a burst of load from elsewhere on the machine spoils one
    // sample rather than one scenario, and what one run leaves behind does not always fall on the same next one.
    const debian = builds.get('debian') as NginxBuild;
    const image = builds.get('image');
    const featureSize = settings.sizes[0] as number;
    const scenarios: {
      design: ThroughputRun['design'];
      size: number | null;
      build: NginxBuild;
      featureOff?: Feature;
    }[] = [
      { design: 'direct', size: null, build: debian },
      ...settings.sizes.flatMap((size) => designs.map((design) => ({ design, size, build: debian }))),
      ...(image ? settings.sizes.map((size) => ({ design: 'proxy' as const, size, build: image })) : []),
      // The feature costs, at the smallest allowlist on Debian's nginx, in the same rounds as the rest.
      ...(args.features
        ? Object.keys(FEATURES_OFF).map((featureOff) => ({
            design: 'proxy' as const,
            size: featureSize,
            build: debian,
            featureOff,
          }))
        : []),
    ];
    const samples = new Map<number, ThroughputRun[]>(scenarios.map((_, i) => [i, []]));
    for (let round = 0; round < settings.rounds; round++) {
      for (const index of roundOrder(scenarios.length, round)) {
        const { design, size, build, featureOff } = scenarios[index] as (typeof scenarios)[number];
        const result =
          design === 'direct'
            ? await measureDirect(harness)
            : await measureDesign(harness, design, size as number, build, featureOff);
        samples.get(index)?.push(result);
        const entries = size === null ? '' : ` ${formatNumber(size)} entries`;
        console.log(
          `  round ${round + 1}/${settings.rounds}  ${result.name}${entries}: ${formatNumber(result.requestsPerSecond)} req/s${errorKinds(result)}`,
        );
      }
    }
    const measured = scenarios.map((_, i) => best(samples.get(i) ?? []));
    const throughput = measured.filter((result) => result.featureOff === undefined);
    const featureRuns = measured.filter((result) => result.featureOff !== undefined);
    const reloads: ReloadRun[] = [];
    for (const clients of ['connection-close', 'keepalive'] as const) {
      const result = await measureReloads(harness, clients);
      reloads.push(result);
      console.log(
        `  reloads under load, ${clients}: ${errorCount({ errors: result.errors } as WrkReport)} errors`,
      );
    }

    // Ordered like the HTTP scenarios, so today's rendering and the baseline take turns going first and follow each
    // of the others alike.
    const tlsSubjects: (() => Promise<TlsRun[]>)[] = [
      () => measureTlsDirect(harness),
      ...[...builds.values()].map((build) => () => measureTlsProxied(harness, build, 'proxy')),
      ...(harness.baseline ? [() => measureTlsProxied(harness, debian, 'baseline')] : []),
    ];
    const tlsSamples: TlsRun[] = [];
    for (let round = 0; round < settings.rounds; round++) {
      for (const index of roundOrder(tlsSubjects.length, round))
        tlsSamples.push(...(await (tlsSubjects[index] as () => Promise<TlsRun[]>)()));
      console.log(`  round ${round + 1}/${settings.rounds}  TLS passthrough measured`);
    }
    const tlsRuns = bestTls(tlsSamples);
    const latency = args.latency ? await measureLatency(harness) : [];
    const instructionsSkipped = !args.instructions
      ? 'left out (--no-instructions)'
      : !harness.baseline || !designs.includes('proxy')
        ? 'needs the proxy and baseline designs'
        : await valgrindMissing();
    const instructions: InstructionCount[] = [];
    if (!instructionsSkipped) {
      for (const design of ['proxy', 'baseline'] as const)
        instructions.push(await instructionsPer(harness, design, 'new TLS connection'));
      for (const design of designs) instructions.push(await instructionsPer(harness, design, 'HTTP request'));
      console.log('  instructions per new TLS connection and per HTTP request counted');
    }

    // Ratios within this run.
    const comparison = compare(throughput, tlsRuns);
    const runFor = (design: Design, size: number | undefined, flavour: NginxFlavour = 'debian') =>
      throughput.find(
        (result) =>
          result.design === design &&
          result.entries === size &&
          (design === 'reference' || result.nginx === flavour),
      );
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
      const base =
        result.design === 'direct' ? undefined : runFor(result.design, smallest, result.nginx ?? 'debian');
      const reference =
        result.design === 'proxy' ? runFor('reference', result.entries ?? undefined) : undefined;
      const againstBaseline =
        result.design === 'proxy' && result.nginx === 'debian' && result.entries !== null
          ? comparison.httpCpuPer1000Requests[result.entries]
          : undefined;
      return [
        result.name,
        result.entries === null ? '-' : formatNumber(result.entries),
        formatNumber(result.requestsPerSecond),
        result.p99Ms.toFixed(2),
        base ? percent(result.requestsPerSecond / base.requestsPerSecond) : '-',
        reference ? `${(result.requestsPerSecond / reference.requestsPerSecond).toFixed(2)}x` : '-',
        result.nginxCpuMsPer1000 === null ? '-' : result.nginxCpuMsPer1000.toFixed(1),
        times(againstBaseline),
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
          `CPU vs ${baselineCommit}`,
          'errors',
        ],
        rows,
        new Set([1, 2, 3, 4, 5, 6, 7, 8]),
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

    const full = runFor('proxy', settings.sizes[0]);
    const featureCosts = featureRuns.map((run) => ({
      featureOff: run.featureOff as Feature,
      requestsPerSecond: run.requestsPerSecond,
      nginxCpuMsPer1000: run.nginxCpuMsPer1000,
      /** What the feature costs: the full rendering's nginx CPU per 1,000 requests minus this run's. */
      costMsPer1000:
        full?.nginxCpuMsPer1000 != null && run.nginxCpuMsPer1000 !== null
          ? Math.round((full.nginxCpuMsPer1000 - run.nginxCpuMsPer1000) * 100) / 100
          : null,
      errors: run.errors + run.non2xx,
    }));
    if (full && featureCosts.length > 0) {
      console.log(
        `\n${table(
          ['feature switched off', 'req/s', 'nginx CPU ms/1k req', 'feature costs ms/1k', 'share', 'errors'],
          [
            [
              '(none: the full rendering)',
              formatNumber(full.requestsPerSecond),
              full.nginxCpuMsPer1000?.toFixed(1) ?? '-',
              '-',
              '-',
              String(full.errors + full.non2xx),
            ],
            ...featureCosts.map((cost) => [
              cost.featureOff,
              formatNumber(cost.requestsPerSecond),
              cost.nginxCpuMsPer1000?.toFixed(1) ?? '-',
              cost.costMsPer1000?.toFixed(1) ?? '-',
              cost.costMsPer1000 !== null && full.nginxCpuMsPer1000
                ? percent(cost.costMsPer1000 / full.nginxCpuMsPer1000)
                : '-',
              String(cost.errors),
            ]),
          ],
          new Set([1, 2, 3, 4, 5]),
        )}`,
      );
      console.log(
        `  ${formatNumber(settings.sizes[0] ?? 0)} entries, Debian nginx; each row the same traffic with one feature switched off (best round of each)`,
      );
    }

    const directTls = (mode: TlsMode) => tlsRuns.find((run) => run.path === 'direct' && run.mode === mode);
    const describePath = ({ path, design }: TlsRun) => {
      if (path === 'direct') return 'direct to stand-in';
      const label = builds.get(path)?.label ?? path;
      return design === 'baseline' ? `${label} at ${baselineCommit}` : label;
    };
    console.log(
      `\n${table(
        [
          'TLS passthrough',
          'mode',
          'per s',
          'MB/s',
          'vs direct',
          'nginx CPU ms/1k',
          'nginx CPU ms/GB',
          'user space',
          `CPU vs ${baselineCommit}`,
          'failures',
        ],
        tlsRuns.map((run) => {
          const direct = directTls(run.mode);
          return [
            describePath(run),
            run.mode,
            formatNumber(run.perSecond),
            run.megabytesPerSecond.toFixed(1),
            direct && run.path !== 'direct' ? percent(run.perSecond / direct.perSecond) : '-',
            run.nginxCpuMsPer1000 === null ? '-' : run.nginxCpuMsPer1000.toFixed(1),
            run.nginxCpuMsPerGB === null ? '-' : formatNumber(Math.round(run.nginxCpuMsPerGB)),
            run.nginxUserShare === null ? '-' : percent(run.nginxUserShare),
            times(run.design === 'proxy' && run.path === 'debian' ? comparison.tlsCpu[run.mode] : undefined),
            String(run.failures),
          ];
        }),
        new Set([2, 3, 4, 5, 6, 7, 8, 9]),
      )}`,
    );
    console.log(
      `  per s: requests (keepalive, bulk) or new connections with a full handshake (new-connection); 1 MiB bodies in bulk\n  user space: the share of nginx's CPU in its own code, the rest in the kernel (clock ticks, mean of the rounds)\n  CPU vs ${baselineCommit}: nginx CPU per 1,000 transfers (per GB in bulk) over ${baselineCommit}'s rendering's, both on Debian's nginx`,
    );
    console.log(`\n${verdicts(comparison, instructions, instructionsSkipped).join('\n')}`);

    if (latency.length > 0) {
      const ms = (value: number) => (Number.isNaN(value) ? '-' : value.toFixed(2));
      console.log(
        `\n${table(
          [
            'added latency',
            'rate/s',
            'path',
            'reached/s',
            'p50 ms',
            'p99 ms',
            'p99.9 ms',
            'not sent',
            'failures',
          ],
          latency.flatMap((run) => [
            ...(['direct', 'proxied'] as const).map((path) => [
              run.mode,
              formatNumber(run[path].rate),
              path === 'direct' ? 'direct to stand-in' : 'haproxy -> nginx',
              formatNumber(run[path].achievedRate),
              ms(run[path].p50Ms),
              ms(run[path].p99Ms),
              ms(run[path].p999Ms),
              String(run[path].notSent),
              String(run[path].failures),
            ]),
            [
              run.mode,
              formatNumber(run.direct.rate),
              'added by the proxy',
              '',
              ms(run.addedMs.p50),
              ms(run.addedMs.p99),
              ms(run.addedMs.p999),
              '',
            ],
          ]),
          new Set([1, 3, 4, 5, 6, 7, 8]),
        )}`,
      );
      console.log(
        `  open loop (${settings.latencySeconds} s per run, latency from when each request was due); reached/s below rate/s: the client fell behind.\n  Failures here are printed, not failed: past what the machine can carry, timeouts and the per-client connection limit (429, closed TLS) are what overload looks like.`,
      );
    }

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
        proxiedVsReference: comparison.proxiedVsReference,
        referenceTarget: REFERENCE_TARGET,
        referenceTargetMet: comparison.referenceTargetMet,
        baseline: {
          commit: baselineCommit,
          httpCpuPer1000Requests: comparison.httpCpuPer1000Requests,
          tlsCpu: comparison.tlsCpu,
          tlsNewConnectionTarget: BASELINE_TLS_TARGET,
          tlsNewConnectionTargetMet: comparison.tlsNewConnectionTargetMet,
          instructionsPerNewTlsConnection: instructionRatio(
            instructions,
            'new TLS connection',
            'proxy',
            'baseline',
          ),
          instructionsPerHttpRequest: instructionRatio(instructions, 'HTTP request', 'proxy', 'baseline'),
        },
      },
      instructions: instructionsSkipped ? { skipped: instructionsSkipped } : instructions,
      featureCosts,
      latency,
      reloads,
      tls: {
        path: 'curl --parallel -> haproxy (send-proxy-v2) -> nginx stream (ssl_preread) -> stand-in TLS',
        requests: settings.tlsRequests,
        connections: settings.tlsConnections,
        bulkMegabytes: settings.tlsMegabytes,
        runs: tlsRuns,
      },
      elapsedSeconds: Math.round((performance.now() - started) / 1000),
    };
    await mkdir(dirname(args.out), { recursive: true });
    await writeFile(args.out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nWrote ${args.out} (${results.elapsedSeconds} s).`);
    // Throughput moves with the machine's other load; failed requests are a correctness problem.
    const failures = [
      ...measured
        .filter((run) => run.errors + run.non2xx > 0)
        .map((run) => `${run.name} ${run.entries ?? ''}`),
      ...reloads
        .filter(
          (run) =>
            run.clients === 'connection-close' &&
            errorCount({ errors: run.errors } as WrkReport) + run.non2xx > 0,
        )
        .map(() => 'reloads with Connection: close clients'),
      ...tlsRuns.filter((run) => run.failures > 0).map((run) => `TLS ${describePath(run)} ${run.mode}`),
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
