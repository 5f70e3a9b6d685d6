// The bundled smoke action, run as the runner runs it (INPUT_*, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, event file),
// against the local stack: haproxy (send-proxy-v2) in front of the rendered nginx, in front of stand-in services
// that refuse any request whose SigV4 signature did not arrive intact. Allowed from 127.0.0.1; 127.0.0.2 is not on
// the allowlist.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { LOCAL_TEST_CREDENTIALS } from '../../src/local/sigv4.ts';
import { type LocalStack, REFUSED_CLIENT_ADDRESS, startLocalStack } from '../../src/local/stack.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import type { SmokeReport } from '../../src/operations/smoke.ts';
import { runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

const supervisor = new Supervisor();
let stack: LocalStack;
let dir: string;

beforeAll(async () => {
  const { config } = await loadConfig(SAMPLE_CONFIG_DIR);
  if (!config) throw new Error('the example config is invalid');
  dir = await mkdtemp(join(tmpdir(), 'smoke-action-'));
  stack = await startLocalStack(config, { supervisor, defaultRegion: 'eu-west-1' });
});
afterAll(async () => {
  await supervisor.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: LOCAL_TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LOCAL_TEST_CREDENTIALS.secretAccessKey,
  AWS_SESSION_TOKEN: LOCAL_TEST_CREDENTIALS.sessionToken,
};

function smoke(inputs: Record<string, string>, reportName: string) {
  return runAction('smoke', {
    event: { name: 'push', payload: { ref: 'refs/heads/main' } },
    env: CREDENTIALS,
    inputs: {
      environment: 'staging',
      endpoint: stack.endpoint.host,
      'tls-port': String(stack.endpoint.tlsPort),
      'http-port': String(stack.endpoint.httpPort),
      'ca-file': stack.ca.certFile,
      'config-dir': SAMPLE_CONFIG_DIR,
      'report-file': join(dir, reportName),
      ...inputs,
    },
  });
}

describe('smoke action (bundled) against the local stack', () => {
  it('expect allowed: every service and port answers its smoke status through the proxy, signatures intact', async () => {
    const before = stack.standIns.map((standIn) => standIn.requests);
    const run = await smoke({ 'timeout-seconds': '30' }, 'allowed.json');
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toEqual({
      passed: '5',
      failed: '0',
      'not-tested': '0',
      'report-file': join(dir, 'allowed.json'),
    });

    const report = JSON.parse(await readFile(join(dir, 'allowed.json'), 'utf8')) as SmokeReport;
    expect(report.results.map((r) => [r.service, r.port, r.status, r.ok])).toEqual([
      ['orders', 443, 200, true],
      ['orders', 80, 200, true],
      ['inventory', 443, 200, true],
      ['status-page', 443, 200, true],
      ['status-page', 80, 200, true],
    ]);
    // Every request reached a stand-in (the IAM ones verify the signature and would have answered 403).
    const after = stack.standIns.map((standIn) => standIn.requests);
    expect(after.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0)).toBe(5);

    expect(run.summary).toContain('### Smoke test: staging, expect allowed, via 127.0.0.1');
    expect(run.summary).toContain('5 of 5 checks passed.');
    expect(run.summary).toMatch(/\| orders \| 443 \| 200 \| 200 \| \d+ ms \| 1 \| ok \|/);
    expect(run.summary).toContain(
      `curl -sS -i --connect-to orders.example.com:443:127.0.0.1:${stack.endpoint.tlsPort} --cacert ${stack.ca.certFile} ` +
        '--aws-sigv4 aws:amz:eu-west-1:vpc-lattice-svcs',
    );
  });

  it('expect refused from an address off the allowlist: TLS closed, HTTP refused by the proxy', async () => {
    const run = await smoke({ expect: 'refused', 'source-address': REFUSED_CLIENT_ADDRESS }, 'refused.json');
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ passed: '5', failed: '0' });
    const report = JSON.parse(await readFile(join(dir, 'refused.json'), 'utf8')) as SmokeReport;
    expect(report.results.map((r) => `${r.service}:${r.port} ${r.outcome}`)).toEqual([
      'orders:443 closed',
      'orders:80 403 (proxy)',
      'inventory:443 closed',
      'status-page:443 closed',
      'status-page:80 403 (proxy)',
    ]);
    expect(report.results[0]?.curl).toContain(`--interface ${REFUSED_CLIENT_ADDRESS}`);
  });

  it('fails the step, annotated with the curl command, when a check does not get its answer', async () => {
    const run = await smoke(
      { 'source-address': REFUSED_CLIENT_ADDRESS, 'timeout-seconds': '2' },
      'failing.json',
    );
    expect(run.exitCode).toBe(1);
    expect(run.outputs).toMatchObject({ passed: '0', failed: '5' });
    expect(run.stdout).toContain(
      '::error::5 of 5 smoke check(s) failed: orders:443, orders:80, inventory:443, status-page:443, status-page:80',
    );
    const annotation = run.annotations.find((a) => a.properties.title === 'Smoke check failed: orders:80');
    expect(annotation?.message).toMatch(/^orders:80 got HTTP 403, expected 200: .*\nReproduce: curl /s);
    expect(run.summary).toContain('0 of 5 checks passed.');
    expect(run.summary).toContain('#### Failures');
  });

  it('refuses bad inputs before connecting anywhere', async () => {
    const run = await smoke(
      { expect: 'maybe', endpoint: 'bad host', environment: 'nowhere', 'source-address': 'eth0' },
      'bad.json',
    );
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('input "endpoint" must be a DNS name or IP address');
    expect(run.stdout).toMatch(/input .*expect.* must be one of allowed, refused/);
    expect(run.stdout).toContain('input "source-address" must be an IP address');
  });
});
