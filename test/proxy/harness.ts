// A real nginx running the rendered config on loopback, in front of one stand-in per service (HTTP and TLS, each
// on its own 127.x.y.z address) found through a loopback DNS server, with clients that write their own PROXY v2
// header so a test can claim any client address while connecting from 127.0.0.1.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Config } from '../../src/config/model.ts';
import { upstreamName } from '../../src/config/model.ts';
import { HEALTH_CHECK_PATH } from '../../src/contract/proxy-container.ts';
import { createLocalCa } from '../../src/local/certificates.ts';
import { type DnsServer, type DnsServerOptions, startDnsServer } from '../../src/local/dns.ts';
import { type NginxProcess, startNginx } from '../../src/local/nginx.ts';
import type { NginxBuild } from '../../src/local/nginx-builds.ts';
import { freePort } from '../../src/local/ports.ts';
import {
  entrypointCommand,
  localRenderTarget,
  MAIN_FILE,
  type RenderTarget,
  renderProxy,
  writeRendered,
} from '../../src/render/render.ts';
import { type ProxyEndpoint, proxyV2Header } from '../support/proxy-protocol.ts';
import { nginxUnderTest } from './nginx-under-test.ts';

export interface HarnessOptions {
  /** Defaults to loopback, as in the local stack. */
  trustedProxyCidrs?: readonly string[];
  /** Defaults to none: only config/allowlist.yaml decides. */
  extraAllowlist?: RenderTarget['extraAllowlist'];
  /** Changes the rendered nginx.conf before nginx starts, to add what the configuration does not render. */
  editConfig?: (text: string) => string;
  /** How long the DNS stand-in takes to answer (per name, when a function); 0 by default. */
  dnsAnswerDelayMs?: DnsServerOptions['answerDelayMs'];
  /**
   * image rendering: return only once the health checks answer 200 (the default), as the load balancer waits for
   * them in production; false returns as soon as nginx listens (startup.test.ts).
   */
  awaitHealthy?: boolean;
  /** Defaults to the suite's nginx (nginx-under-test.ts). */
  build?: NginxBuild;
}

export interface Harness {
  /** Where nginx runs: rendered files, pid, temp files and the access log. */
  dir: string;
  build: NginxBuild;
  target: RenderTarget;
  nginx: NginxProcess;
  ports: { http: number; tls: number; loadBalancerHealth: number; health: number };
  caCert: string;
  /** The DNS stand-in answering the Lattice names; setRecords moves a service, as Lattice may. */
  dns: DnsServer;
  /** Service name -> the loopback address its stand-ins listen on. */
  addresses: Record<string, string>;
  /** Raw HTTP through the proxy; `source` is the client address claimed in the PROXY header (none: no header). */
  http(request: string, source?: string): Promise<HttpOutcome>;
  /** A TLS handshake with `servername` through the proxy; resolves with what the stand-in saw, or refused. */
  tls(servername: string | undefined, source?: string): Promise<TlsOutcome>;
  /** Closes a service's TLS stand-in: the Lattice address nginx holds for it stops answering. */
  closeTlsStandIn(service: string): Promise<void>;
  stop(): Promise<void>;
}

export type HttpOutcome = { status: number; body: string } | { closed: true };
export type TlsOutcome = { service: string; servername: string } | { refused: string };

/** What a stand-in answers: which service it is and what reached it. */
export interface Echo {
  service: string;
  /** The proxy's side of the upstream connection (address:port): the same value means a reused connection. */
  from: string;
  host: string | undefined;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The stand-in's echo of a request that reached it; anything else (a refusal, a close) fails the test here. */
export function echoOf(outcome: HttpOutcome): Echo {
  if (!('status' in outcome) || outcome.status !== 200)
    throw new Error(`no answer: ${JSON.stringify(outcome)}`);
  return JSON.parse(outcome.body) as Echo;
}

const LOCALHOST = '127.0.0.1';

export async function startHarness(config: Config, options: HarnessOptions = {}): Promise<Harness> {
  const build = options.build ?? nginxUnderTest();
  const dir = await mkdtemp(join(tmpdir(), 'lattice-proxy-test-'));
  const cleanups: (() => Promise<void> | void)[] = [() => rm(dir, { recursive: true, force: true })];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const services = config.services.services;
    const ca = await createLocalCa(dir);
    const keyPair = await ca.issue(
      'stand-in',
      services.map((service) => service.domain),
    );
    const { addresses, httpPort, tlsPort, servers, tlsStandIns } = await startStandIns(
      services.map((service) => service.name),
      keyPair,
    );
    cleanups.push(() => Promise.all(servers.map(closeServer)).then(() => undefined));
    const latticeNames = services.map(upstreamName);
    const dns: DnsServer = await startDnsServer({
      records: new Map(latticeNames.map((name, i) => [name, { a: [addresses[i] as string] }])),
      ttlSeconds: 1,
      answerDelayMs: options.dnsAnswerDelayMs,
    });
    cleanups.push(() => dns.close());

    // Each attempt gets a directory of its own: a failed nginx start can leave its unix socket behind.
    const start = async () => {
      const nginxDir = await mkdtemp(join(dir, 'nginx-'));
      const ports = {
        http: await freePort(),
        tls: await freePort(),
        loadBalancerHealth: await freePort(),
        health: await freePort(),
      };
      const target = localRenderTarget({
        runtimeDir: nginxDir,
        flavour: build.flavour,
        listen: ports,
        resolver: { port: dns.port },
        upstreamPorts: { http: httpPort, tls: tlsPort },
        upstreamAddresses: Object.fromEntries(latticeNames.map((name, i) => [name, addresses[i] as string])),
        trustedProxyCidrs: options.trustedProxyCidrs,
        extraAllowlist: options.extraAllowlist ?? [],
      });
      const files = renderProxy(config, target);
      const main = files.get(MAIN_FILE);
      if (options.editConfig && main) files.set(MAIN_FILE, options.editConfig(main));
      await writeRendered(files, nginxDir);
      // The image starts nginx through its entrypoint, which keeps the health checks closed until it can forward.
      const nginx = await startNginx({
        dir: nginxDir,
        command: [...entrypointCommand(files, nginxDir), ...build.command],
        globals: build.globals,
        waitFor: [ports.loadBalancerHealth, ports.health].map((port) => ({ host: LOCALHOST, port })),
      });
      return { nginxDir, ports, target, nginx };
    };
    // Another test may take a port between freePort() and nginx binding it: pick new ones then.
    const { nginxDir, ports, target, nginx } = await start().catch((error: Error) => {
      if (!error.message.includes('Address already in use')) throw error;
      return start();
    });
    cleanups.push(async () => {
      await nginx.stop('SIGTERM');
    });
    if (build.flavour === 'image' && options.awaitHealthy !== false) {
      await awaitHealthy(ports.health, target.readinessWaitSeconds);
    }

    return {
      dir: nginxDir,
      build,
      target,
      nginx,
      ports,
      caCert: ca.cert,
      dns,
      addresses: Object.fromEntries(services.map((service, i) => [service.name, addresses[i] as string])),
      http: (request, source) => httpExchange(ports.http, request, source),
      tls: (servername, source) => tlsHandshake(ports.tls, servername, ca.cert, source),
      closeTlsStandIn: async (service) => {
        const server = tlsStandIns.get(service);
        if (!server) throw new Error(`no TLS stand-in for ${service}`);
        await closeServer(server);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * image rendering: the entrypoint keeps the health checks at 503 until nginx has an address for every HTTP
 * service (`resolve` starts upstream servers without one). Waits until the container health listener answers 200.
 */
async function awaitHealthy(port: number, readinessWaitSeconds: number): Promise<void> {
  // The entrypoint opens the checks by itself after readinessWaitSeconds; one probe of its may still be running
  // then (curl --max-time 5), and a loaded machine adds seconds on top.
  const limitSeconds = readinessWaitSeconds + 15;
  const deadline = Date.now() + limitSeconds * 1000;
  for (;;) {
    const outcome = await httpExchange(port, httpGet('task', HEALTH_CHECK_PATH));
    if ('status' in outcome && outcome.status === 200) return;
    if (Date.now() > deadline)
      throw new Error(`health checks still closed ${limitSeconds} s after nginx started`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One HTTP and one TLS stand-in per service on its own loopback address; all share two ports. */
async function startStandIns(names: readonly string[], keyPair: { cert: string; key: string }) {
  for (let attempt = 0; ; attempt++) {
    // A random 127.x.y.0/24 keeps parallel test files apart.
    const prefix = `127.${100 + Math.floor(Math.random() * 150)}.${Math.floor(Math.random() * 250)}`;
    const addresses = names.map((_, i) => `${prefix}.${i + 10}`);
    const httpPort = await freePort(addresses[0]);
    const tlsPort = await freePort(addresses[0]);
    const servers: (HttpServer | TlsServer)[] = [];
    const tlsStandIns = new Map<string, TlsServer>();
    try {
      for (const [i, name] of names.entries()) {
        const address = addresses[i] as string;
        servers.push(await listen(httpStandIn(name), address, httpPort));
        const tls = await listen(tlsStandIn(name, keyPair), address, tlsPort);
        servers.push(tls);
        tlsStandIns.set(name, tls);
      }
      return { addresses, httpPort, tlsPort, servers, tlsStandIns };
    } catch (error) {
      await Promise.all(servers.map(closeServer));
      if (attempt >= 5) throw error;
    }
  }
}

/** Echoes the request; a path starting with /slow/<ms> is answered after that many milliseconds. */
export function httpStandIn(service: string): HttpServer {
  return createHttpServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const echo: Echo = {
        service,
        from: `${request.socket.remoteAddress}:${request.socket.remotePort}`,
        host: request.headers.host,
        url: request.url ?? '',
        headers: request.headers,
      };
      const delay = Number(/^\/slow\/(\d+)/.exec(echo.url)?.[1] ?? 0);
      setTimeout(() => {
        response.setHeader('content-type', 'application/json');
        response.end(JSON.stringify(echo));
      }, delay);
    });
  });
}

function tlsStandIn(service: string, keyPair: { cert: string; key: string }): TlsServer {
  return createTlsServer({ cert: keyPair.cert, key: keyPair.key }, (socket) => {
    socket.end(JSON.stringify({ service, servername: socket.servername || '' }));
  });
}

function listen<S extends HttpServer | TlsServer>(server: S, host: string, port: number): Promise<S> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => resolve(server));
  });
}

function closeServer(server: HttpServer | TlsServer): Promise<void> {
  if ('closeAllConnections' in server) server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * What a connection starts with: a PROXY header claiming `source` when a client address is given, a header
 * written as it is (e.g. a LOCAL one) when bytes are given, nothing when undefined.
 */
export type Preamble = string | Buffer | undefined;

/** Connects from 127.0.0.1 and writes the preamble. */
function connectWithHeader(port: number, preamble: Preamble): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: LOCALHOST, port, localAddress: LOCALHOST });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      if (Buffer.isBuffer(preamble)) socket.write(preamble);
      else if (preamble !== undefined)
        socket.write(proxyV2Header(endpoint(preamble, 40000), endpoint(destinationFor(preamble), port)));
      resolve(socket);
    });
  });
}

function endpoint(address: string, port: number): ProxyEndpoint {
  return { address, port };
}

/** The load balancer's own address in the header: same family as the client's. */
function destinationFor(source: string): string {
  return source.includes(':') ? 'fd00::1' : '10.0.0.1';
}

/** Writes `request` after the preamble and reads until the server closes. */
export async function httpExchange(port: number, request: string, preamble?: Preamble): Promise<HttpOutcome> {
  const socket = await connectWithHeader(port, preamble);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.write(request);
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.once('error', () => resolve());
  });
  const text = Buffer.concat(chunks).toString('utf8');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1];
  if (!status) return { closed: true };
  return { status: Number(status), body: text.slice(text.indexOf('\r\n\r\n') + 4) };
}

async function tlsHandshake(
  port: number,
  servername: string | undefined,
  ca: string,
  source: string | undefined,
): Promise<TlsOutcome> {
  const socket = await connectWithHeader(port, source);
  return new Promise((resolve) => {
    const tls = connectTls({ socket, servername, ca, rejectUnauthorized: servername !== undefined });
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (outcome: TlsOutcome) => {
      if (settled) return;
      settled = true;
      tls.destroy();
      socket.destroy();
      resolve(outcome);
    };
    tls.on('data', (chunk: Buffer) => chunks.push(chunk));
    tls.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      settle(text ? (JSON.parse(text) as TlsOutcome) : { refused: 'closed without data' });
    });
    tls.once('error', (error) => settle({ refused: error.message }));
    tls.once('close', () => settle({ refused: 'closed' }));
  });
}

/** An HTTP/1.1 request with `Connection: close`; `target` is the request-target (a path or an absolute URI). */
export function httpGet(host: string | undefined, target = '/', extraHeaders: string[] = []): string {
  const headers = [...(host === undefined ? [] : [`Host: ${host}`]), ...extraHeaders, 'Connection: close'];
  return `GET ${target} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`;
}

/** One client connection that stays open: requests are sent one after another on it (HTTP/1.1 keepalive). */
export interface KeepAliveClient {
  /** GET `path` with this Host; resolves with the status and body of the response. */
  get(host: string, path?: string): Promise<{ status: number; body: string }>;
  close(): void;
}

export async function keepAliveClient(port: number, source: string): Promise<KeepAliveClient> {
  const socket = await connectWithHeader(port, source);
  let buffered = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    waiting?.();
  });
  socket.on('close', () => waiting?.());
  const nextResponse = async () => {
    for (;;) {
      const headerEnd = buffered.indexOf('\r\n\r\n');
      if (headerEnd >= 0) {
        const head = buffered.subarray(0, headerEnd).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
        if (Number.isNaN(length)) throw new Error(`response without Content-Length: ${head}`);
        const end = headerEnd + 4 + length;
        if (buffered.length >= end) {
          const body = buffered.subarray(headerEnd + 4, end).toString('utf8');
          buffered = buffered.subarray(end);
          return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body };
        }
      }
      if (socket.destroyed) throw new Error('the proxy closed the keepalive connection');
      await new Promise<void>((resolve) => {
        waiting = resolve;
      });
      waiting = undefined;
    }
  };
  return {
    get(host, path = '/') {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      return nextResponse();
    },
    close: () => socket.destroy(),
  };
}

/**
 * Raw connections with a PROXY header from `client`, then `opening` when given (e.g. a request whose body never
 * comes), held open: nginx waits for the ClientHello or the rest meanwhile.
 */
export async function hold(port: number, client: string, count: number, opening = ''): Promise<Socket[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connectTcp({ host: '127.0.0.1', port, localAddress: '127.0.0.1' }, () => {
            socket.write(proxyV2Header({ address: client, port: 40000 }, { address: '10.0.0.1', port }));
            if (opening) socket.write(opening);
            resolve(socket);
          });
          socket.once('error', reject);
        }),
    ),
  );
  // limit_conn counts a connection once its PROXY header is read; give nginx a moment to read all of them.
  await new Promise((resolve) => setTimeout(resolve, 300));
  return sockets;
}
