// Renders the NGINX configuration the proxy image ships (and the local stack runs) from the validated config.
//
// Pure apart from reading the templates once: config + target in, a map of file name -> content out.
// Everything that differs between the deployed image and a run on this machine lives in RenderTarget, so the
// same templates are exercised by the tests that start a real nginx.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type AllowlistToCompile,
  type CompiledAccess,
  compileAccessOfEach,
} from '../access/access-groups.ts';
import { type Cidr, requireCanonicalCidr, vpcResolverAddress } from '../config/cidr.ts';
import {
  type Config,
  DEFAULT_CONNECTIONS_PER_CLIENT,
  type Environment,
  type Service,
  upstreamNameIn,
} from '../config/model.ts';
import {
  HEALTH_CHECK_PATH,
  NGINX_SHUTDOWN_SECONDS,
  PROXY_CONTAINER_PORTS,
} from '../contract/proxy-container.ts';
import { loadTemplates } from './templates.ts';

/**
 * Which nginx build the config is for.
 * - image: the official nginx image (>= 1.27.3): stream is built in, and upstream servers carry `resolve` so
 *   pooled keepalive connections follow Lattice's changing addresses.
 * - debian: Debian's nginx 1.22, used by the tests and the local stack: stream is a loadable module and
 *   upstream servers cannot `resolve` (1.22 resolves them once, at start, through the system resolver).
 */
export type NginxFlavour = 'image' | 'debian';

export interface RenderTarget {
  /** Environment name, written into the file header. */
  environment: string;
  flavour: NginxFlavour;
  /**
   * Where nginx listens. IPv4 only (the load balancer reaches the tasks over IPv4). `address` carries the proxy
   * listeners and the load balancer's health checks (PROXY protocol on all three); the container's own health
   * check (plain HTTP) listens on `healthAddress`, loopback in the image because only the task itself calls it.
   */
  listen: {
    address: string;
    http: number;
    tls: number;
    loadBalancerHealth: number;
    health: number;
    healthAddress: string;
  };
  /**
   * The port clients address for plain HTTP (the load balancer's listener). A Host header of `<domain>:<port>`
   * with this port names the same service as `<domain>`; any other port is refused.
   */
  clientHttpPort: number;
  /** Peers whose PROXY protocol header is believed (the VPC CIDR). Everyone else is judged by its own address. */
  trustedProxyCidrs: readonly string[];
  /** Entries allowed besides config/allowlist.yaml (the local stack allows its own client). */
  extraAllowlist: readonly { cidr: string; description: string }[];
  /** DNS server used to follow the Lattice names. */
  resolver: { address: string; port: number; validSeconds: number; timeoutSeconds: number; ipv6: boolean };
  /** Ports of the Lattice services (80 and 443; the local stand-ins listen on high ports). */
  upstreamPorts: { http: number; tls: number };
  /**
   * debian flavour only: the address each Lattice name's upstream server is pinned to. nginx 1.22 resolves
   * `server` names once at start with the system resolver, which does not know Lattice (or the local DNS
   * stand-in). Names missing here are written as they are.
   */
  upstreamAddresses?: Readonly<Record<string, string>>;
  /** Where logs go: a file path, /dev/stdout, or `stderr` (error log only). */
  logs: { access: string; error: string };
  /** Writable paths: the pid file and a directory for temp files and the refusal socket. */
  paths: { pid: string; runtime: string };
  /** debian flavour: absolute path of the stream module. */
  streamModule: string;
  workerConnections: number;
  /**
   * image flavour: how long the entrypoint keeps the health checks closed waiting for nginx to have an address for
   * every service, before it opens them anyway.
   */
  readinessWaitSeconds: number;
  /** How long SIGQUIT waits for open connections before closing them; keep it below the task's stopTimeout. */
  shutdownTimeoutSeconds: number;
}

/** File name (relative to the config directory) -> content. */
export type RenderedFiles = Map<string, string>;

/** The rendered file nginx is started with; the others are included from it. */
export const MAIN_FILE = 'nginx.conf';
/** The allowlist, included by both the http and the stream `geo` blocks. */
export const ALLOWLIST_FILE = 'allowlist.conf';
/** image flavour: the container's entrypoint, which starts nginx and opens its health checks once it can forward. */
export const ENTRYPOINT_FILE = 'entrypoint.sh';
/** image flavour: created in the runtime directory by the entrypoint; the health checks answer 503 without it. */
export const READY_FILE = 'ready';

export const DEBIAN_STREAM_MODULE = '/usr/lib/nginx/modules/ngx_stream_module.so';

/** The deployed image's targets add no allowlist entries: one compiled allowlist serves every environment. */
export const IMAGE_EXTRA_ALLOWLIST: RenderTarget['extraAllowlist'] = [];

/** The deployed image: container ports, trust and DNS from the environment's VPC, logs to stdout/stderr. */
export function renderTargetFor(env: Environment): RenderTarget {
  return {
    environment: env.name,
    flavour: 'image',
    listen: { address: '0.0.0.0', ...PROXY_CONTAINER_PORTS, healthAddress: '127.0.0.1' },
    clientHttpPort: 80,
    trustedProxyCidrs: [env.vpcCidr],
    extraAllowlist: IMAGE_EXTRA_ALLOWLIST,
    resolver: {
      address: vpcResolverAddress(env.vpcCidr),
      port: 53,
      validSeconds: 10,
      timeoutSeconds: 5,
      ipv6: env.dualStack,
    },
    upstreamPorts: { http: 80, tls: 443 },
    logs: { access: '/dev/stdout', error: 'stderr' },
    // The task mounts a volume here; the root filesystem stays read-only.
    paths: { pid: '/tmp/nginx/nginx.pid', runtime: '/tmp/nginx' },
    streamModule: DEBIAN_STREAM_MODULE,
    workerConnections: 8192,
    // Short enough that a task opened by the bound is healthy at the NLB within ECS's grace period (render.test.ts).
    readinessWaitSeconds: 15,
    shutdownTimeoutSeconds: NGINX_SHUTDOWN_SECONDS,
  };
}

export interface LocalTargetOptions {
  environment?: string;
  /** Directory nginx may write to: pid file, temp files, refusal socket, access log. */
  runtimeDir: string;
  /** Every listener on `address` (loopback by default), the container health check included. */
  listen: { address?: string; http: number; tls: number; loadBalancerHealth: number; health: number };
  /** DNS stand-in. */
  resolver: { address?: string; port: number };
  upstreamPorts: { http: number; tls: number };
  upstreamAddresses?: Readonly<Record<string, string>>;
  clientHttpPort?: number;
  trustedProxyCidrs?: readonly string[];
  extraAllowlist?: readonly { cidr: string; description: string }[];
  flavour?: NginxFlavour;
  accessLog?: string;
}

/**
 * A run on this machine: Debian's nginx on loopback, trusting PROXY headers from loopback (haproxy stands in for
 * the load balancer) and allowing 127.0.0.1 only, so a client on 127.0.0.2 shows a refusal.
 */
export function localRenderTarget(options: LocalTargetOptions): RenderTarget {
  const runtime = options.runtimeDir;
  const address = options.listen.address ?? '127.0.0.1';
  return {
    environment: options.environment ?? 'local',
    flavour: options.flavour ?? 'debian',
    listen: { ...options.listen, address, healthAddress: address },
    clientHttpPort: options.clientHttpPort ?? options.listen.http,
    trustedProxyCidrs: options.trustedProxyCidrs ?? ['127.0.0.0/8'],
    extraAllowlist: options.extraAllowlist ?? [{ cidr: '127.0.0.1/32', description: 'local stack client' }],
    resolver: {
      address: options.resolver.address ?? '127.0.0.1',
      port: options.resolver.port,
      validSeconds: 1,
      timeoutSeconds: 2,
      ipv6: false,
    },
    upstreamPorts: options.upstreamPorts,
    upstreamAddresses: options.upstreamAddresses,
    logs: { access: options.accessLog ?? join(runtime, 'access.log'), error: 'stderr' },
    paths: { pid: join(runtime, 'nginx.pid'), runtime },
    streamModule: DEBIAN_STREAM_MODULE,
    workerConnections: 1024,
    readinessWaitSeconds: 3,
    shutdownTimeoutSeconds: 10,
  };
}

/**
 * A service's upstream group is one of these and the service's name: nginx forwards a request or connection to
 * `<prefix>$service_name` (`$tls_service_name`), the name that routing gave and access allowed.
 */
const UPSTREAM_PREFIX = { http: 'lattice_http_', tls: 'lattice_tls_' } as const;

/** Characters any rendered value may contain: none of them means anything to the NGINX config parser. */
const INERT = /^[A-Za-z0-9.:/_-]+$/;

/**
 * A configuration's allowlist (and a target's extra entries) compiled into access groups, and the allowlist file
 * written from them: all of rendering that grows with the allowlist, and the same for every environment whose target
 * adds the same entries, so a caller that renders several environments compiles it once for all of them.
 */
export interface CompiledAllowlist {
  /** The allowlist it was compiled from, so it is never used with another. */
  allowlist: Config['allowlist'];
  extraAllowlist: RenderTarget['extraAllowlist'];
  access: CompiledAccess;
  /** The content of ALLOWLIST_FILE. */
  file: string;
}

export function compileAllowlist(
  config: Config,
  extraAllowlist: RenderTarget['extraAllowlist'],
): CompiledAllowlist {
  const side = { config, extraAllowlist };
  return withAllowlistFile(side, compileAccessOfEach([accessSideOf(side)])[0] as CompiledAccess);
}

export interface AllowlistSide {
  config: Config;
  extraAllowlist: RenderTarget['extraAllowlist'];
}

/**
 * What compileAllowlist compiles: every entry, each checked to be written in its one canonical spelling. `checked`:
 * networks whose spelling was checked already, by their text (the other side of a change, which shares nearly all
 * of them).
 */
export function accessSideOf(
  { config, extraAllowlist }: AllowlistSide,
  checked?: ReadonlyMap<string, Cidr>,
): Required<AllowlistToCompile> {
  const entries = [...config.allowlist.entries, ...extraAllowlist.map((entry) => ({ cidr: entry.cidr }))];
  return {
    entries,
    defaultLimit: config.allowlist.connectionsPerClient ?? DEFAULT_CONNECTIONS_PER_CLIENT,
    // Parsed once here, for the check and for the compiler.
    networks: entries.map((entry) => checked?.get(entry.cidr) ?? requireCanonicalCidr(entry.cidr)),
  };
}

/** The compiled allowlist of a side, from its accessSideOf compiled (alone or together with other sides). */
export function withAllowlistFile(
  { config, extraAllowlist }: AllowlistSide,
  access: CompiledAccess,
): CompiledAllowlist {
  // The allowlist file reads nothing else; checked as the rest of the view is (assertInert).
  const view = { allowlist: access.entries, extraAllowlist: extraAllowlist.length > 0 };
  assertInert(view);
  const file = loadTemplates().allowlist(view);
  return { allowlist: config.allowlist, extraAllowlist, access, file };
}

/** `allowlist`: compileAllowlist of this config and target's extra entries; compiled here when absent. */
export function renderProxy(
  config: Config,
  target: RenderTarget,
  allowlist?: CompiledAllowlist,
): RenderedFiles {
  for (const cidr of target.trustedProxyCidrs) requireCanonicalCidr(cidr);
  if (target.trustedProxyCidrs.length === 0) throw new Error('render target trusts no PROXY protocol source');
  const compiled = allowlist
    ? compiledFor(config, target, allowlist)
    : compileAllowlist(config, target.extraAllowlist);
  const view = buildView(config, target, compiled.access);
  assertInert(view);
  const probeSockets = view.image ? view.tlsServices.map((service) => service.probeSocket) : [];
  for (const socket of [view.refusalSocket, view.drainSocket, view.plainRefusalSocket, ...probeSockets])
    assertSocketPath(socket);
  const templates = loadTemplates();
  const files: RenderedFiles = new Map([
    [MAIN_FILE, templates.main(view)],
    [ALLOWLIST_FILE, compiled.file],
  ]);
  if (view.image) files.set(ENTRYPOINT_FILE, templates.entrypoint(view));
  return files;
}

/** What goes before the nginx command to start it as the image does: the rendered entrypoint, when there is one. */
export function entrypointCommand(files: RenderedFiles, dir: string): string[] {
  return files.has(ENTRYPOINT_FILE) ? ['sh', join(dir, ENTRYPOINT_FILE)] : [];
}

export async function writeRendered(files: RenderedFiles, dir: string): Promise<void> {
  for (const [name, content] of files) {
    const path = join(dir, name);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, content);
  }
}

/**
 * Everything the templates read but the allowlist file (compileAllowlist writes it); every string in it is checked
 * by assertInert before rendering.
 */
function buildView(config: Config, target: RenderTarget, access: CompiledAccess) {
  const connectionLimits = (listener: 'http' | 'tls') =>
    access.limits.map((limit) => ({
      limit,
      key: `client_key_${limit}`,
      zone: `${listener}_clients_${limit}`,
      groups: access.groups.filter((g) => g.connectionsPerClient === limit).map((g) => g.id),
    }));
  const services = config.services.services;
  assertUnique(
    'service name',
    services.map((service) => service.name),
  );
  assertUnique(
    'service domain',
    services.map((service) => service.domain),
  );
  const on = (port: 80 | 443) => services.filter((service) => service.ports.includes(port));
  // Per service, the groups that may reach it: with its name, the keys "<service> <group>" of the access maps.
  const serviceAccess = services.map((service) => ({
    name: service.name,
    groups: access.groups
      .filter((group) => group.services === undefined || group.services.includes(service.name))
      .map((group) => group.id),
  }));
  // The name that works from this environment's VPC: through the association, or the service's endpoint name.
  const upstream = (service: Service) => upstreamNameIn(service, target.environment);
  const upstreamHost = (service: Service) => {
    const name = upstream(service);
    return target.flavour === 'debian' ? (target.upstreamAddresses?.[name] ?? name) : name;
  };
  // Where entrypoint.sh asks nginx for a TLS service's address: <prefix><service>.sock, logged to <prefix><service>.log.
  const tlsProbePrefix = join(target.paths.runtime, 'tls-probe-');
  const hostForms = (domain: string) => [domain, `${domain}:${target.clientHttpPort}`];
  const longestKey = Math.max(0, ...services.map((service) => 2 * service.domain.length + 7));
  return {
    environment: target.environment,
    flavour: target.flavour,
    debian: target.flavour === 'debian',
    image: target.flavour === 'image',
    listen: target.listen,
    trustedProxyCidrs: target.trustedProxyCidrs,
    resolver: { ...target.resolver, ipv6: target.resolver.ipv6 ? 'on' : 'off' },
    logs: target.logs,
    paths: target.paths,
    streamModule: target.streamModule,
    workerConnections: target.workerConnections,
    shutdownTimeoutSeconds: target.shutdownTimeoutSeconds,
    readinessWaitSeconds: target.readinessWaitSeconds,
    readyFile: join(target.paths.runtime, READY_FILE),
    probe: `${target.listen.healthAddress}:${target.listen.health}`,
    tlsProbePrefix,
    allowlistFile: ALLOWLIST_FILE,
    healthPath: HEALTH_CHECK_PATH,
    healthListeners: [
      { address: target.listen.address, port: target.listen.loadBalancerHealth, proxyProtocol: true },
      { address: target.listen.healthAddress, port: target.listen.health, proxyProtocol: false },
    ],
    mapHashBucketSize: hashBucketSize(longestKey),
    // The access map has the most keys (a service and a group that reaches it, per service, per group); with too few
    // buckets allowed nginx warns at start and builds a slower hash.
    mapHashMaxSize: Math.max(
      2048,
      2 + access.groups.length + serviceAccess.reduce((keys, { groups }) => keys + 1 + groups.length, 0),
    ),
    // One zone for the upstream groups of http, one for stream's; `resolve` adds a peer per address a name resolves to.
    upstreamZoneKilobytes: Math.max(1024, 16 * services.length),
    refusalSocket: `unix:${join(target.paths.runtime, 'refuse.sock')}`,
    drainSocket: `unix:${join(target.paths.runtime, 'refuse-drain.sock')}`,
    plainRefusalSocket: `unix:${join(target.paths.runtime, 'refuse-plain.sock')}`,
    serviceAccess,
    groupIds: access.groups.map((group) => group.id),
    httpConnectionLimits: connectionLimits('http'),
    tlsConnectionLimits: connectionLimits('tls'),
    // One zone per distinct limit and listener; 1 MB holds about 8,000 client addresses at once.
    limitZoneMegabytes: 10,
    httpUpstreamPrefix: UPSTREAM_PREFIX.http,
    tlsUpstreamPrefix: UPSTREAM_PREFIX.tls,
    tlsServices: on(443).map((service) => ({
      name: service.name,
      domain: service.domain,
      upstreamBlock: `${UPSTREAM_PREFIX.tls}${service.name}`,
      server: `${upstreamHost(service)}:${target.upstreamPorts.tls}`,
      probeSocket: `unix:${tlsProbePrefix}${service.name}.sock`,
      probeLog: `${tlsProbePrefix}${service.name}.log`,
    })),
    httpServices: on(80).map((service) => ({
      name: service.name,
      hostForms: hostForms(service.domain),
      domain: service.domain,
      upstreamBlock: `${UPSTREAM_PREFIX.http}${service.name}`,
      server: `${upstreamHost(service)}:${target.upstreamPorts.http}`,
    })),
  };
}

/** A compiled allowlist handed in must be this config's, with this target's extra entries. */
function compiledFor(config: Config, target: RenderTarget, compiled: CompiledAllowlist): CompiledAllowlist {
  const extra = target.extraAllowlist;
  const sameExtra =
    compiled.extraAllowlist.length === extra.length &&
    compiled.extraAllowlist.every((entry, i) => entry.cidr === extra[i]?.cidr);
  if (compiled.allowlist !== config.allowlist || !sameExtra)
    throw new Error('cannot render: the compiled allowlist is of another configuration or render target');
  return compiled;
}

/**
 * map_hash_bucket_size big enough for the longest map key (nginx refuses to start otherwise): a power of two
 * with room for the key, its alignment and two pointers, never below the 64-byte default.
 */
function hashBucketSize(longestKey: number): number {
  let size = 64;
  while (size < longestKey + 32) size *= 2;
  return size;
}

/** A unix socket address holds 107 bytes of path: a longer one would stop nginx from starting; say why instead. */
function assertSocketPath(socket: string): void {
  const path = socket.replace(/^unix:/, '');
  const bytes = Buffer.byteLength(path);
  if (bytes > 107)
    throw new Error(
      `cannot render: the socket path ${path} is ${bytes} bytes, over the 107 a unix socket address holds; use a shorter runtime directory`,
    );
}

/** Two map keys or upstream blocks with one name would stop nginx from starting; say why instead. */
function assertUnique(what: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new Error(`cannot render: ${what} "${value}" appears twice in services.yaml`);
    seen.add(value);
  }
}

/** Defence in depth behind the model's regexes: refuse any value that could carry NGINX syntax. */
function assertInert(value: unknown, path: (string | number)[] = []): void {
  // One path, grown and shrunk in place and written out only for a refusal: a view can hold 100,000 entries.
  if (typeof value === 'string') {
    if (!INERT.test(value)) {
      throw new Error(
        `refusing to render ${viewPath(path)}: ${JSON.stringify(value)} has characters outside [A-Za-z0-9.:/_-]`,
      );
    }
  } else if (value && typeof value === 'object') {
    const keys = Array.isArray(value) ? value.keys() : Object.keys(value);
    for (const key of keys) {
      path.push(key);
      assertInert((value as Record<string | number, unknown>)[key], path);
      path.pop();
    }
  } else if (!['number', 'boolean', 'undefined'].includes(typeof value)) {
    throw new Error(`refusing to render ${viewPath(path)}: unexpected ${typeof value}`);
  }
}

function viewPath(path: readonly (string | number)[]): string {
  return `view${path.map((key) => (typeof key === 'number' ? `[${key}]` : `.${key}`)).join('')}`;
}
