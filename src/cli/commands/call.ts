// `lattice-ingress call <service>`: one request to a configured service through a given endpoint (an NLB name, an
// address, the local stack), signed with SigV4 for `auth: iam` services with credentials from the standard AWS
// chain (environment, profiles, SSO, assumed roles, instance/container roles). Prints the status, headers and
// body, and the equivalent curl command.

import { readFile } from 'node:fs/promises';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { AWS_REGION, type Config, type Port, type Service } from '../../config/model.ts';
import { findEnvironment } from '../../config/valid-config.ts';
import { signingRegion } from '../../smoke/checks.ts';
import { renderCurl } from '../../smoke/curl.ts';
import { probe } from '../../smoke/probe.ts';
import { requestTarget, signLatticeRequest } from '../../smoke/sign.ts';
import { type Command, type Parsed, UsageError } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

export interface CallSettings {
  service: Service;
  port: Port;
  /** Where to connect; undefined resolves the domain. */
  endpoint?: { host: string; port: number };
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  data?: string;
  region?: string;
  /** Sign with SigV4A for this region set instead of SigV4. */
  regionSet?: string;
  profile?: string;
  caFile?: string;
  timeoutMs: number;
}

/** host, host:port, [v6], [v6]:port. */
export function parseEndpoint(value: string, defaultPort: number): { host: string; port: number } {
  const match = /^(?:\[(?<v6>[0-9a-fA-F:.]+)\]|(?<host>[^:[\]]+))(?::(?<port>\d{1,5}))?$/.exec(value);
  const port = Number(match?.groups?.port ?? defaultPort);
  const host = match?.groups?.v6 ?? match?.groups?.host;
  if (!host || port < 1 || port > 65_535) {
    throw new Error(`--endpoint must be HOST, HOST:PORT or [IPv6]:PORT, not "${value}"`);
  }
  return { host, port };
}

/** Splits "/p?a=1&b" into the path and its decoded query parameters. */
export function parsePath(value: string): { path: string; query: Record<string, string | string[]> } {
  if (!/^\/[\x21-\x7e]*$/.test(value)) {
    throw new Error(
      `--path must start with / and be percent-encoded (no spaces or non-ASCII), not "${value}"`,
    );
  }
  const [path = '/', search = ''] = value.split(/\?(.*)/s);
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      throw new Error(`--path has a malformed percent-encoding: "${text}"`);
    }
  };
  const query: Record<string, string | string[]> = {};
  for (const pair of search.split('&').filter(Boolean)) {
    const [key = '', rawValue = ''] = pair.split(/=(.*)/s);
    const name = decode(key);
    const decoded = decode(rawValue);
    const previous = query[name];
    query[name] = previous === undefined ? decoded : [previous, decoded].flat();
  }
  return { path, query };
}

function serviceNamed(name: string | undefined, extra: readonly string[], config: Config): Service {
  if (!name || extra.length > 0) {
    throw new UsageError('name exactly one service', 'lattice-ingress call <service> [options]');
  }
  const services = config.services.services;
  const service = services.find((candidate) => candidate.name === name || candidate.domain === name);
  if (!service) {
    throw new Error(
      `no service "${name}" in services.yaml; known: ${services.map((s) => s.name).join(', ')}`,
    );
  }
  return service;
}

function portOf(service: Service, written: string | undefined): Port {
  const port = Number(written ?? (service.ports.includes(443) ? 443 : service.ports[0])) as Port;
  if (!service.ports.includes(port)) {
    throw new Error(`${service.name} is published on port ${service.ports.join(' and ')}, not ${written}`);
  }
  return port;
}

/** --region, else the region of --env, else AWS_REGION; the Lattice name's region wins over the last two. */
function regionOf(service: Service, values: CallFlags, config: Config): string | undefined {
  const fromEnvironment = values.env ? findEnvironment(config, values.env).region : undefined;
  const fallback = fromEnvironment ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
  const region = values.region ?? signingRegion(service, fallback);
  if (region && !AWS_REGION.test(region)) throw new Error('--region must be a Region code such as eu-west-1');
  return region || undefined;
}

function regionSetOf(values: CallFlags): string | undefined {
  const regionSet = values['region-set'];
  if (regionSet !== undefined && !values.sigv4a) throw new Error('--region-set goes with --sigv4a');
  const valid =
    regionSet === undefined || regionSet === '*' || regionSet.split(',').every((r) => AWS_REGION.test(r));
  if (!valid) {
    throw new Error(
      '--region-set must be * or Region codes separated by commas, e.g. eu-west-1,eu-central-1',
    );
  }
  return values.sigv4a ? (regionSet ?? '*') : undefined;
}

function methodOf(values: CallFlags): string {
  const method = (values.method ?? (values.data === undefined ? 'GET' : 'POST')).toUpperCase();
  if (!/^[A-Z]{1,20}$/.test(method))
    throw new Error(`--method must be an HTTP method such as GET, not "${method}"`);
  return method;
}

function timeoutMsOf(values: CallFlags): number {
  const seconds = Number(values.timeout ?? 10);
  if (!(seconds > 0)) throw new Error('--timeout must be a positive number of seconds');
  return Math.round(seconds * 1000);
}

/** Reads the arguments against the configuration; throws with a message for the user on anything invalid. */
export function parseCallArguments(parsed: Parsed, config: Config): CallSettings {
  const values = parsed.values as unknown as CallFlags;
  const [name, ...extra] = parsed.positionals;
  const service = serviceNamed(name, extra, config);
  const port = portOf(service, values.port);
  const region = regionOf(service, values, config);
  const regionSet = regionSetOf(values);
  return {
    service,
    port,
    ...(values.endpoint ? { endpoint: parseEndpoint(values.endpoint, port) } : {}),
    method: methodOf(values),
    ...parsePath(values.path ?? service.smoke.path),
    data: values.data,
    region,
    ...(regionSet ? { regionSet } : {}),
    profile: values.profile,
    caFile: values.cacert,
    timeoutMs: timeoutMsOf(values),
  };
}

interface CallFlags {
  endpoint?: string;
  port?: string;
  path?: string;
  method?: string;
  data?: string;
  region?: string;
  sigv4a: boolean;
  'region-set'?: string;
  env?: string;
  profile?: string;
  cacert?: string;
  timeout?: string;
  config: string;
}

async function resolveCredentials(profile: string | undefined): Promise<AwsCredentialIdentity> {
  try {
    return await fromNodeProviderChain(profile ? { profile } : {})();
  } catch (error) {
    throw new Error(
      `no AWS credentials for a signed request (${error instanceof Error ? error.message : String(error)}); ` +
        'set AWS_PROFILE / --profile, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
}

/** The request signed for an `auth: iam` service (SigV4, or SigV4A for a region set); undefined for others. */
async function signedRequest(settings: CallSettings, headers: Record<string, string>) {
  if (settings.service.auth !== 'iam') return undefined;
  if (!settings.region && !settings.regionSet) {
    throw new Error('cannot tell which region to sign for: pass --region or --env, or set AWS_REGION');
  }
  const credentials = await resolveCredentials(settings.profile);
  const request = {
    method: settings.method,
    host: settings.service.domain,
    path: settings.path,
    query: settings.query,
    headers,
  };
  const signing = settings.regionSet
    ? { region: settings.regionSet, credentials, algorithm: 'sigv4a' as const }
    : { region: settings.region ?? '', credentials };
  return { credentials, ...(await signLatticeRequest(request, signing)) };
}

function curlLine(settings: CallSettings, sessionToken: boolean | undefined): string {
  const curl = renderCurl({
    method: settings.method,
    scheme: settings.port === 443 ? 'https' : 'http',
    domain: settings.service.domain,
    port: settings.port,
    path: settings.path,
    query: settings.query,
    ...(settings.endpoint ? { connectTo: settings.endpoint } : {}),
    ...(sessionToken === undefined ? {} : { sign: { region: settings.region ?? '', sessionToken } }),
    caFile: settings.caFile,
    data: settings.data,
  });
  // curl has no SigV4A: its command signs with SigV4, which needs the service's own region.
  return settings.regionSet ? `# SigV4 equivalent (curl has no SigV4A):\n# ${curl}\n` : `# ${curl}\n`;
}

function answerText(outcome: {
  status: number;
  latencyMs: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}): string {
  const headerLines = Object.entries(outcome.headers).flatMap(([name, value]) =>
    [value ?? []].flat().map((item) => `${name}: ${item}`),
  );
  const text = `HTTP ${outcome.status} (${Math.round(outcome.latencyMs)} ms)\n${headerLines.join('\n')}\n\n${outcome.body}`;
  return outcome.body && !outcome.body.endsWith('\n') ? `${text}\n` : text;
}

export async function call(settings: CallSettings, write: (text: string) => void): Promise<number> {
  const { service, port } = settings;
  const connect = settings.endpoint ?? { host: service.domain, port };
  // curl adds this content type to --data bodies and signs it; send and sign the same.
  const headers: Record<string, string> =
    settings.data === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' };
  const signed = await signedRequest(settings, headers);
  const outcome = await probe({
    scheme: port === 443 ? 'https' : 'http',
    connectHost: connect.host,
    connectPort: connect.port,
    domain: service.domain,
    method: settings.method,
    path: requestTarget(settings.path, settings.query),
    headers: signed?.headers ?? headers,
    body: settings.data,
    ca: settings.caFile ? await readFile(settings.caFile, 'utf8') : undefined,
    timeoutMs: settings.timeoutMs,
  });
  write(curlLine(settings, signed ? Boolean(signed.credentials.sessionToken) : undefined));
  if (outcome.kind === 'failure') {
    write(`no response from ${connect.host}:${connect.port} (${outcome.failure}): ${outcome.message}\n`);
    return 1;
  }
  write(answerText(outcome));
  if (signed && outcome.status === 403) {
    // What was signed, to compare with what the service says it expected (e.g. a proxy that altered a header).
    const comment = (text: string) => text.replace(/^/gm, '#   ');
    write(
      `# 403 to a signed request. Canonical request signed:\n${comment(signed.canonicalRequest)}\n` +
        `# String to sign:\n${comment(signed.stringToSign)}\n`,
    );
  }
  return outcome.status >= 200 && outcome.status < 400 ? 0 : 1;
}

export const command: Command = async (_args, parsed) => {
  const config = await loadValidConfig(parsed.values.config as string, 'No request was sent');
  if (!config) return 1;
  return call(parseCallArguments(parsed, config), (text) => process.stdout.write(text));
};
