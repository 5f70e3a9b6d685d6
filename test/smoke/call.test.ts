// `lattice-ingress call` as a person runs it: the CLI against a stand-in for the example config's `orders` service
// (SigV4 verified there), with credentials from the environment or from a profile in a credentials file.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/cli/catalog.ts';
import { parseCommandLine } from '../../src/cli/command.ts';
import { parseEndpoint, parseCallArguments as parseParsed, parsePath } from '../../src/cli/commands/call.ts';

import { parseConfig, readConfigSources } from '../../src/config/load.ts';
import type { Config } from '../../src/config/model.ts';
import { createLocalCa, type LocalCa } from '../../src/local/certificates.ts';
import { LOCAL_TEST_CREDENTIALS } from '../../src/local/sigv4.ts';
import { type StandIn, startStandIn } from '../../src/local/stand-in.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

const callDefinition = COMMANDS.find((command) => command.name === 'call');
const parseCallArguments = (args: string[], config: Config) =>
  parseParsed(parseCommandLine(callDefinition as NonNullable<typeof callDefinition>, args), config);
const run = promisify(execFile);
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');

let config: Config;
let dir: string;
let ca: LocalCa;
let standIn: StandIn;

beforeAll(async () => {
  const parsed = parseConfig(await readConfigSources(SAMPLE_CONFIG_DIR));
  if (!parsed.config) throw new Error('the example config does not load');
  config = parsed.config;
  dir = await mkdtemp(join(tmpdir(), 'smoke-call-'));
  ca = await createLocalCa(dir);
  const orders = config.services.services.find((service) => service.name === 'orders');
  if (!orders) throw new Error('the example config has no orders service');
  standIn = await startStandIn({
    service: orders,
    address: '127.0.0.1',
    httpPort: 0,
    tlsPort: 0,
    tls: await ca.issue('orders', [orders.domain]),
    region: 'eu-west-1',
  });
});

afterAll(async () => {
  await standIn?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs the CLI with only the environment given (nothing from the developer's AWS setup). */
async function cli(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'lattice-ingress.mjs'), ...args, '--config', SAMPLE_CONFIG_DIR],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH, HOME: dir, AWS_EC2_METADATA_DISABLED: 'true', ...env },
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('lattice-ingress call', () => {
  it('signs with credentials from the environment and prints the answer and the curl command', async () => {
    const { code, stdout } = await cli(
      ['call', 'orders', '--endpoint', `127.0.0.1:${standIn.tlsPort}`, '--cacert', ca.certFile],
      {
        AWS_ACCESS_KEY_ID: LOCAL_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_TEST_CREDENTIALS.secretAccessKey,
        AWS_SESSION_TOKEN: LOCAL_TEST_CREDENTIALS.sessionToken,
      },
    );
    expect(stdout).toMatch(/^# curl -sS -i --connect-to orders\.example\.com:443:127\.0\.0\.1:\d+ --cacert /);
    expect(stdout).toContain('--aws-sigv4 aws:amz:eu-west-1:vpc-lattice-svcs');
    expect(stdout).toMatch(/\nHTTP 200 \(\d+ ms\)\ncontent-type: application\/json/);
    expect(stdout).toContain('"signature":"valid"');
    expect(code).toBe(0);
  });

  it('takes a profile from the shared credentials file, and a query and body over plain HTTP', async () => {
    const credentialsFile = join(dir, 'credentials');
    await writeFile(
      credentialsFile,
      [
        '[ops]',
        `aws_access_key_id = ${LOCAL_TEST_CREDENTIALS.accessKeyId}`,
        `aws_secret_access_key = ${LOCAL_TEST_CREDENTIALS.secretAccessKey}`,
        `aws_session_token = ${LOCAL_TEST_CREDENTIALS.sessionToken}`,
        '',
      ].join('\n'),
    );
    const { code, stdout } = await cli(
      [
        'call',
        'orders',
        '--port',
        '80',
        '--endpoint',
        `127.0.0.1:${standIn.httpPort}`,
        '--profile',
        'ops',
        '--path',
        '/v1/orders?z=1&a=b%20c',
        '--data',
        'sku=1',
      ],
      { AWS_SHARED_CREDENTIALS_FILE: credentialsFile, AWS_CONFIG_FILE: join(dir, 'none') },
    );
    expect(stdout).toContain("--data-raw sku=1 'http://orders.example.com/v1/orders?a=b%20c&z=1'");
    expect(stdout).toContain('"method":"POST"');
    expect(stdout).toContain('"signature":"valid"');
    expect(code).toBe(0);
  });

  it('signs with SigV4A for a region set when asked (the SigV4-only stand-in then refuses it)', async () => {
    const { code, stdout } = await cli(
      ['call', 'orders', '--sigv4a', '--endpoint', `127.0.0.1:${standIn.tlsPort}`, '--cacert', ca.certFile],
      {
        AWS_ACCESS_KEY_ID: LOCAL_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_TEST_CREDENTIALS.secretAccessKey,
      },
    );
    expect(stdout).toContain('# SigV4 equivalent (curl has no SigV4A):');
    expect(stdout).toMatch(
      /"authorization":"AWS4-ECDSA-P256-SHA256 Credential=AKIALOCALSTACKTEST01\/\d{8}\/vpc-lattice-svcs\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-region-set,/,
    );
    expect(stdout).toContain('HTTP 403');
    expect(code).toBe(1);
  });

  it('exits 1 with the answer when the signature is refused, and explains missing credentials', async () => {
    const refused = await cli(
      ['call', 'orders', '--endpoint', `127.0.0.1:${standIn.tlsPort}`, '--cacert', ca.certFile],
      {
        AWS_ACCESS_KEY_ID: LOCAL_TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: 'wrong',
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('HTTP 403');
    expect(refused.stdout).toContain(
      '# 403 to a signed request. Canonical request signed:\n#   GET\n#   /health\n',
    );
    expect(refused.stdout).toMatch(/# String to sign:\n# {3}AWS4-HMAC-SHA256\n/);
    const missing = await cli(['call', 'orders', '--endpoint', `127.0.0.1:${standIn.tlsPort}`], {
      AWS_CONFIG_FILE: join(dir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'none'),
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no AWS credentials for a signed request');
  });
});

describe('call argument parsing', () => {
  it('parses endpoints', () => {
    expect(parseEndpoint('nlb.example.com', 443)).toEqual({ host: 'nlb.example.com', port: 443 });
    expect(parseEndpoint('10.0.0.5:8443', 443)).toEqual({ host: '10.0.0.5', port: 8443 });
    expect(parseEndpoint('[::1]:8080', 80)).toEqual({ host: '::1', port: 8080 });
    expect(() => parseEndpoint('a:b:c', 443)).toThrow(/--endpoint must be/);
    expect(() => parseEndpoint('host:99999', 443)).toThrow(/--endpoint must be/);
  });

  it('splits the path and decodes the query', () => {
    expect(parsePath('/v1/x?b=2&a=%2F&a=3&flag')).toEqual({
      path: '/v1/x',
      query: { b: '2', a: ['/', '3'], flag: '' },
    });
    expect(() => parsePath('v1')).toThrow(/must start with \//);
    expect(() => parsePath('/a b')).toThrow(/percent-encoded/);
    expect(() => parsePath('/a?x=%E1')).toThrow(/malformed percent-encoding: "%E1"/);
  });

  it('checks the service, port, region and environment against the configuration', () => {
    expect(parseCallArguments(['orders'], config)).toMatchObject({
      port: 443,
      method: 'GET',
      path: '/health',
      region: 'eu-west-1',
    });
    expect(parseCallArguments(['inventory.example.com', '--data', 'x'], config)).toMatchObject({
      method: 'POST',
    });
    expect(() => parseCallArguments(['nope'], config)).toThrow(/known: orders, inventory, status-page/);
    expect(() => parseCallArguments(['inventory', '--port', '80'], config)).toThrow(
      /published on port 443, not 80/,
    );
    expect(() => parseCallArguments(['orders', '--environment', 'qa'], config)).toThrow(
      /no environment "qa"/,
    );
    expect(() => parseCallArguments(['orders', '--region', 'Mars'], config)).toThrow(/--region must be/);
    expect(() => parseCallArguments(['orders', '--method', 'GET /x'], config)).toThrow(/--method must be/);
    expect(parseCallArguments(['orders', '--sigv4a'], config)).toMatchObject({ regionSet: '*' });
    expect(() => parseCallArguments(['orders', '--region-set', '*'], config)).toThrow(/goes with --sigv4a/);
    expect(() => parseCallArguments(['orders', '--sigv4a', '--region-set', 'eu-west-1,x'], config)).toThrow(
      /--region-set must be/,
    );
  });
});
