// The pure parts of the smoke test: which checks run, how an attempt is judged, the region signed for, the tables.
import { describe, expect, it } from 'vitest';
import { smokeReport } from '../../src/actions/smoke-report.ts';
import { ServicesSchema } from '../../src/config/model.ts';
import type { SmokeReport } from '../../src/operations/smoke.ts';
import { Report } from '../../src/render/report.ts';
import { judge, signingRegion } from '../../src/smoke/checks.ts';
import type { ProbeOutcome } from '../../src/smoke/probe.ts';
import { formatSmokeTable } from '../../src/smoke/report.ts';
import { planSmokeChecks, type SmokeResult } from '../../src/smoke-plan/checks.ts';

const services = ServicesSchema.parse({
  services: [
    {
      name: 'orders',
      domain: 'orders.example.com',
      latticeDomain: 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.us-west-2.on.aws',
      ports: [443, 80],
      smoke: { path: '/health', expect: 204 },
    },
    { name: 'plain', domain: 'plain.example.com', auth: 'none' },
  ],
});
const [orders, plain] = services.services as [(typeof services.services)[0], (typeof services.services)[0]];

const response = (status: number, body = ''): ProbeOutcome => ({
  kind: 'response',
  status,
  headers: {},
  body,
  latencyMs: 3,
});
const failure = (kind: Extract<ProbeOutcome, { kind: 'failure' }>['failure']): ProbeOutcome => ({
  kind: 'failure',
  failure: kind,
  message: `${kind} happened`,
  latencyMs: 3,
});
const NGINX_403 =
  '<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

describe('planSmokeChecks', () => {
  it('checks every service on every port it is published on, in configuration order', () => {
    expect(planSmokeChecks(services).map(({ service, port }) => `${service.name}:${port}`)).toEqual([
      'orders:443',
      'orders:80',
      'plain:443',
    ]);
  });
});

describe('signingRegion', () => {
  it('takes the region from the Lattice-generated name, else the environment region', () => {
    expect(signingRegion(orders, 'eu-west-1')).toBe('us-west-2');
    expect(signingRegion(plain, 'eu-west-1')).toBe('eu-west-1');
  });
});

describe('judge', () => {
  it('allowed: passes on the expected status only, and says what came back', () => {
    expect(judge(response(204), 204, 'allowed')).toMatchObject({ ok: true, outcome: '204' });
    expect(judge(response(403, '{"message":"denied"}'), 204, 'allowed')).toEqual({
      ok: false,
      final: false,
      outcome: '403',
      error: 'got HTTP 403, expected 204: {"message":"denied"}',
    });
    expect(judge(failure('closed'), 204, 'allowed')).toMatchObject({ ok: false, final: false });
  });

  it('allowed: an untrusted certificate is final, nothing else is', () => {
    expect(judge(failure('certificate'), 200, 'allowed')).toMatchObject({ ok: false, final: true });
    for (const kind of ['refused', 'closed', 'unanswered', 'timeout', 'dns', 'other'] as const) {
      expect(judge(failure(kind), 200, 'allowed').final).toBe(false);
    }
  });

  it('refused: passes when the proxy closes the connection without a response, or on its own 403', () => {
    expect(judge(failure('closed'), 200, 'refused')).toMatchObject({ ok: true, outcome: 'closed' });
    // No answer at all is what a dead fleet gives too: not tested, not passed, and not worth retrying.
    expect(judge(failure('unanswered'), 200, 'refused')).toEqual({
      ok: false,
      untested: true,
      final: true,
      outcome: 'unanswered',
    });
    expect(judge(failure('unanswered'), 200, 'allowed')).toMatchObject({ ok: false, final: false });
    expect(judge(response(403, NGINX_403), 200, 'refused')).toMatchObject({
      ok: true,
      outcome: '403 (proxy)',
    });
  });

  it('refused: fails on a service response, nothing listening, a timeout, DNS or certificate trouble', () => {
    expect(judge(response(200), 200, 'refused')).toMatchObject({
      ok: false,
      error: 'got HTTP 200 from the service: this source was let through, expected a refusal',
    });
    // A 403 that is not the proxy's (e.g. Lattice refusing the signature) means the request was forwarded.
    expect(judge(response(403, '{"message":"AccessDeniedException"}'), 200, 'refused').ok).toBe(false);
    expect(judge(failure('timeout'), 200, 'refused').error).toContain(
      'accepted and then hangs is not a refusal',
    );
    // Nothing listening is not the proxy refusing anyone.
    expect(judge(failure('refused'), 200, 'refused')).toMatchObject({
      ok: false,
      error: expect.stringContaining('nothing accepts connections there'),
    });
    expect(judge(failure('dns'), 200, 'refused').ok).toBe(false);
    expect(judge(failure('certificate'), 200, 'refused').ok).toBe(false);
  });
});

const results: SmokeResult[] = [
  {
    service: 'orders',
    port: 443,
    ok: true,
    status: 204,
    expected: 204,
    expectation: 'allowed',
    outcome: '204',
    latencyMs: 12.4,
    attempts: 1,
    curl: 'curl -sS -i https://orders.example.com/health',
  },
  {
    service: 'plain',
    port: 443,
    ok: false,
    expected: 200,
    expectation: 'allowed',
    outcome: 'timeout',
    latencyMs: 10_000,
    attempts: 4,
    error: 'timeout: no response within 10000 ms',
    curl: 'curl -sS -i https://plain.example.com/',
  },
];

describe('formatSmokeTable', () => {
  it('aligns one row per check and lists each failure with its curl command', () => {
    expect(formatSmokeTable(results)).toBe(
      [
        'service  port  expected  result   latency   attempts',
        'orders   443   204       204      12 ms     1         ok',
        'plain    443   200       timeout  10000 ms  4         FAILED',
        '',
        'plain:443 timeout: no response within 10000 ms',
        '  curl -sS -i https://plain.example.com/',
      ].join('\n'),
    );
  });
});

describe('smokeReport', () => {
  const run: SmokeReport = {
    environment: 'staging',
    endpoint: { host: 'nlb.example.com', tlsPort: 443, httpPort: 80 },
    expect: 'allowed',
    passed: 1,
    failed: 1,
    notTested: 0,
    results,
  };
  const markdown = (report: SmokeReport) =>
    smokeReport('Smoke test: staging (allowed)', report, new Report('markdown')).text();

  it('summarises, tabulates, lists failures and gives every curl command', () => {
    const summary = markdown(run);
    expect(summary).toContain('### Smoke test: staging (allowed)');
    expect(summary).toContain('1 of 2 checks passed.');
    expect(summary).toContain('| orders | 443 | 204 | 204 | 12 ms | 1 | ok |');
    expect(summary).toContain('- **plain:443**: timeout: no response within 10000 ms');
    expect(summary).toContain('plain:443\n\n```sh\ncurl -sS -i https://plain.example.com/\n```');
    expect(summary).toContain('| Service | Port | Expected | Result | Latency | Attempts |  |\n| --- |');
    expect(summary).not.toContain('Target health');
  });

  it('adds the target health gate when it decided', () => {
    const targetHealth = {
      ok: false,
      lines: ['Ingres-ProxyTls: 0 of 1 healthy (unhealthy)'],
      problem: 'no healthy target in Ingres-ProxyTls',
    };
    expect(markdown({ ...run, targetHealth })).toContain(
      '#### Target health (the refusal was not tested)\n\n❌ no healthy target in Ingres-ProxyTls\n\n- Ingres-ProxyTls: 0 of 1 healthy (unhealthy)\n',
    );
  });
});
