import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AlarmsSchema, cpuAlarmPercent, ScalingSchema } from '../../src/config/model.ts';
import { zoneIdPrefix } from '../../src/config/rules/deployment/zone-ids.ts';
import { yamlSnippets } from '../support/doc-snippets.ts';
import { allowlistYaml, exampleText, parse, REPO_ROOT, summary } from './sources.ts';

const entry = (cidr: string, extra = '') => `cidr: ${cidr}, description: Example entry${extra}`;

describe('allowlist rules', () => {
  it('accepts the example configuration without findings', () => {
    const result = parse();
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.allowlist.entries.length).toBeGreaterThan(0);
  });

  it('refuses a CIDR with host bits set and suggests the network', () => {
    const result = parse({ allowlist: allowlistYaml([entry('172.17.2.3/12')]) });
    expect(summary(result)).toEqual(['allowlist.yaml:3:12 error cidr-not-canonical']);
    expect(result.diagnostics[0]?.message).toContain('172.16.0.0/12');
    expect(result.diagnostics[0]?.hint).toContain('write 172.16.0.0/12');
    expect(result.config).toBeUndefined();
  });

  it('refuses IPv6 that is not in RFC 5952 form', () => {
    const result = parse({ allowlist: allowlistYaml([entry('2001:DB8:0000::/48')]) });
    expect(result.diagnostics[0]?.code).toBe('cidr-not-canonical');
    expect(result.diagnostics[0]?.hint).toBe('write 2001:db8::/48');
  });

  it.each([
    ['10.0.0.0/33', 'cidr-invalid'],
    ['010.0.0.0/8', 'cidr-invalid'],
    ['"::ffff:c633:6400/120"', 'cidr-ipv4-mapped'],
  ])('refuses %s (%s)', (cidr, code) => {
    expect(parse({ allowlist: allowlistYaml([entry(cidr)]) }).diagnostics.map((d) => d.code)).toEqual([code]);
  });

  it('reports duplicates and covered entries with the line of the other entry', () => {
    const result = parse({
      allowlist: allowlistYaml([
        entry('172.16.0.0/12'),
        entry('192.0.2.0/24'),
        entry('172.20.0.0/16'),
        entry('192.0.2.0/24'),
        entry('2001:db8::/32'),
        entry('2001:db8:1::/48'),
      ]),
    });
    expect(summary(result)).toEqual([
      'allowlist.yaml:5:12 warning cidr-covered',
      'allowlist.yaml:6:12 error cidr-duplicate',
      'allowlist.yaml:8:12 warning cidr-covered',
    ]);
    expect(result.diagnostics[0]?.message).toContain('inside 172.16.0.0/12 (line 3)');
    expect(result.diagnostics[1]?.message).toContain('already listed on line 4');
  });

  it('calls a nested entry ineffective only when the broader ones grant its services and its limit', () => {
    const result = parse({
      allowlist: allowlistYaml(
        [
          entry('172.16.0.0/12', ', services: [orders]'),
          entry('172.20.0.0/16', ', services: [orders, inventory]'),
          entry('172.21.0.0/16', ', connectionsPerClient: 1000'),
          entry('172.22.0.0/16', ', services: [orders], connectionsPerClient: 100'),
          entry('192.168.0.0/16'),
          entry('192.168.1.0/24', ', services: [orders]'),
        ],
        'connectionsPerClient: 600\nallowAnyAddress: false',
      ),
    });
    const byLine = Object.fromEntries(result.diagnostics.map((d) => [d.line, d]));
    expect(summary(result)).toEqual([
      'allowlist.yaml:5:12 warning cidr-nested',
      'allowlist.yaml:6:12 warning cidr-nested',
      'allowlist.yaml:7:12 warning cidr-covered',
      'allowlist.yaml:9:12 warning cidr-covered',
    ]);
    expect(byLine[5]?.message).toBe(
      '172.20.0.0/16 is inside 172.16.0.0/12 (line 4) and adds the services inventory for its addresses',
    );
    expect(byLine[5]?.hint).not.toContain('remove');
    expect(byLine[6]?.message).toContain(
      'and adds every service and connectionsPerClient 1000 for its addresses',
    );
    // Fewer services and a lower limit than the broader entry restrict nothing: the broader one wins.
    expect(byLine[7]?.message).toContain('so it has no effect');
    expect(byLine[7]?.hint).toContain('cannot restrict');
    expect(byLine[9]?.message).toBe(
      '192.168.1.0/24 is inside 192.168.0.0/16 (line 8), which grants every service it does with at least its connection limit, so it has no effect',
    );
  });

  it('judges a nested entry against every broader entry together', () => {
    const result = parse({
      allowlist: allowlistYaml([
        entry('192.168.0.0/16', ', services: [orders]'),
        entry('192.168.1.0/24', ', services: [inventory]'),
        entry('192.168.1.128/25', ', services: [orders, inventory]'),
      ]),
    });
    expect(summary(result)).toEqual([
      'allowlist.yaml:4:12 warning cidr-nested',
      'allowlist.yaml:5:12 warning cidr-covered',
    ]);
    expect(result.diagnostics[1]?.message).toContain(
      'inside 192.168.0.0/16 (line 3) and 192.168.1.0/24 (line 4), which together grant',
    );
  });

  it('does not call an entry redundant when the broader one expires first', () => {
    const result = parse({
      allowlist: allowlistYaml([entry('172.16.0.0/12', ', expires: 2026-06-01'), entry('172.20.0.0/16')]),
    });
    expect(result.diagnostics).toEqual([]);
  });

  it('refuses 0.0.0.0/0 and ::/0 unless allowAnyAddress is true', () => {
    const open = [entry('0.0.0.0/0'), entry('::/0')];
    const codes = (text: string) =>
      summary(parse({ allowlist: text })).filter((s) => s.startsWith('allowlist'));
    expect(codes(allowlistYaml(open))).toEqual([
      'allowlist.yaml:3:12 error cidr-any-address',
      'allowlist.yaml:4:12 error cidr-any-address',
    ]);
    expect(codes(allowlistYaml(open, 'allowAnyAddress: true'))).toEqual([]);
    expect(
      summary(parse({ allowlist: allowlistYaml([entry('192.0.2.0/24')], 'allowAnyAddress: true') })),
    ).toEqual(['allowlist.yaml:1:1 warning allow-any-address-unused']);
  });

  describe('the open proxy as docs/configuration.md shows it', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs/configuration.md'), 'utf8');
    const snippet = yamlSnippets(docs).find((text) => text.includes('allowAnyAddress: true')) ?? '';
    /** The sample allowlist with the snippet applied as it says: the flag set, the open entry appended. */
    const applied = (flag: string) =>
      `${exampleText('allowlist').replace('allowAnyAddress: false', flag).trimEnd()}\n${snippet
        .split('\n')
        .filter((line) => line.startsWith('  '))
        .join('\n')}\n`;

    it('validates, warning only about the entries it makes redundant', () => {
      expect(snippet).toContain('cidr: 0.0.0.0/0');
      const result = parse({ allowlist: applied('allowAnyAddress: true') });
      expect(result.config?.allowlist.entries.at(-1)?.cidr).toBe('0.0.0.0/0');
      expect(result.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(
        Array(3).fill('warning cidr-covered'),
      );
    });

    it('without allowAnyAddress is one mistake, one message', () => {
      expect(summary(parse({ allowlist: applied('allowAnyAddress: false') }))).toEqual([
        'allowlist.yaml:23:11 error cidr-any-address',
      ]);
    });
  });

  it('refuses entries that together cover every address', () => {
    const halves = [entry('0.0.0.0/1'), entry('128.0.0.0/2'), entry('192.0.0.0/2')];
    const result = parse({ allowlist: allowlistYaml(halves) });
    expect(summary(result).filter((s) => s.includes('cidr-any-address'))).toEqual([
      'allowlist.yaml:3:12 error cidr-any-address',
    ]);
    expect(result.diagnostics.find((d) => d.code === 'cidr-any-address')?.message).toContain(
      'together, the 3 IPv4 entries cover every IPv4 address',
    );
    const gap = parse({ allowlist: allowlistYaml([entry('0.0.0.0/1'), entry('192.0.0.0/2')]) });
    expect(gap.diagnostics.map((d) => d.code)).not.toContain('cidr-any-address');
  });

  it('fails expired entries and warns 14 days ahead, relative to the date given', () => {
    const result = parse({
      allowlist: allowlistYaml([
        entry('192.0.2.0/28', ', expires: 2026-01-14'),
        entry('192.0.2.16/28', ', expires: 2026-01-15'),
        entry('192.0.2.32/28', ', expires: 2026-01-29'),
        entry('192.0.2.48/28', ', expires: 2026-01-30'),
        entry('192.0.2.64/28', ', expires: 2026-02-30'),
      ]),
    });
    expect(summary(result).map((s) => s.replace(/:\d+ /, ' '))).toEqual([
      'allowlist.yaml:3 error entry-expired',
      'allowlist.yaml:4 warning entry-expiring',
      'allowlist.yaml:5 warning entry-expiring',
      'allowlist.yaml:7 error date-invalid',
    ]);
  });

  it('warns about networks no client can come from', () => {
    expect(summary(parse({ allowlist: allowlistYaml([entry('127.0.0.0/8')]) }))).toEqual([
      'allowlist.yaml:3:12 warning cidr-never-a-client',
    ]);
  });

  it('finds overlaps among 5,000 entries (sort and sweep)', () => {
    const entries = Array.from({ length: 5_000 }, (_, i) => entry(`10.${i >> 8}.${i & 255}.0/24`));
    entries.push(entry('10.0.0.0/16'));
    // (10.42.0.0/20, the example VPC, is not among them: 5,000 /24s end at 10.19.135.0.)
    const result = parse({ allowlist: allowlistYaml(entries) });
    expect(result.diagnostics.filter((d) => d.code === 'cidr-covered')).toHaveLength(256);
  });
});

describe('services rules', () => {
  const services = exampleText('services');

  it('refuses duplicate names and domains, pointing at the second', () => {
    const result = parse({
      services: services
        .replace('name: inventory', 'name: orders')
        .replace('domain: inventory.example.com', 'domain: orders.example.com'),
    });
    expect(summary(result)).toEqual([
      'services.yaml:21:11 error service-name-duplicate',
      'services.yaml:22:13 error domain-duplicate',
    ]);
  });

  it('refuses wildcards and capitals with a specific message', () => {
    const wildcard = parse({ services: services.replace('orders.example.com', '"*.example.com"') });
    expect(wildcard.diagnostics[0]?.message).toContain('cannot be a wildcard');
    const upper = parse({ services: services.replace('orders.example.com', 'Orders.example.com') });
    expect(upper.diagnostics[0]?.message).toContain('must be lowercase');
  });

  it('refuses ports other than 80 and 443, and repeated ports', () => {
    expect(summary(parse({ services: services.replace('ports: [443]', 'ports: [443, 8443]') }))).toEqual([
      'services.yaml:24:18 error invalid-value',
    ]);
    expect(summary(parse({ services: services.replace('ports: [443]', 'ports: [443, 443]') }))).toEqual([
      'services.yaml:24:12 error port-duplicate',
    ]);
  });

  it('warns when latticeDomain repeats domain or another service', () => {
    const lattice = 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';
    const shared = parse({
      services: services.replace(
        'inventory-0b2c3d4e5f6a7b8c9.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
        lattice,
      ),
    });
    expect(summary(shared)).toEqual(['services.yaml:23:20 warning lattice-domain-shared']);
    const redundant = parse({
      services: services.replace('domain: orders.example.com', `domain: ${lattice}`),
    });
    expect(summary(redundant)).toEqual(['services.yaml:15:20 warning lattice-domain-redundant']);
  });

  it('requires the Lattice Region to be one the fleet runs in', () => {
    const result = parse({
      services: services.replace('vpc-lattice-svcs.eu-west-1', 'vpc-lattice-svcs.us-east-1'),
    });
    expect(summary(result)).toEqual(['services.yaml:15:20 error lattice-region-mismatch']);
    expect(result.diagnostics[0]?.message).toContain('us-east-1');
  });
});

describe('scaling rules', () => {
  const scaling = exampleText('scaling');

  it('checks min <= desired <= max', () => {
    expect(summary(parse({ scaling: scaling.replace('maxTasks: 10', 'maxTasks: 1') }))).toEqual([
      'scaling.yaml:6:11 error scaling-min-above-max',
    ]);
    expect(summary(parse({ scaling: `${scaling}desiredTasks: 11\n` }))).toEqual([
      'scaling.yaml:15:15 error scaling-desired-out-of-range',
    ]);
    expect(summary(parse({ scaling: scaling.replace('minTasks: 2', 'minTasks: 1') }))).toEqual([
      'scaling.yaml:6:11 warning scaling-single-task',
    ]);
  });

  it('accepts only Fargate CPU/memory pairs', () => {
    const result = parse({ scaling: scaling.replace('taskMemoryMiB: 1024', 'taskMemoryMiB: 8192') });
    expect(summary(result)).toEqual(['scaling.yaml:14:16 error fargate-size']);
    expect(result.diagnostics[0]?.hint).toContain('1024, 2048, 3072, 4096');
    expect(result.diagnostics[0]?.hint).toContain('fits taskCpu 1024 or 2048 or 4096');
  });
});

describe('deployment rules', () => {
  const deployment = exampleText('deployment');

  it('refuses duplicate environment names', () => {
    expect(summary(parse({ deployment: deployment.replace('name: production', 'name: staging') }))).toEqual([
      'deployment.yaml:21:11 error environment-duplicate',
      'deployment.yaml:29:7 error github-environment-duplicate',
    ]);
  });

  it.each([
    ['10.42.0.1/20', 'cidr-not-canonical'],
    ['10.0.0.0/12', 'vpc-cidr-size'],
    ['10.42.0.0/26', 'vpc-cidr-size'],
    ['100.64.0.0/16', 'vpc-cidr-not-private'],
    ['"2001:db8::/56"', 'vpc-cidr-family'],
  ])('checks vpcCidr %s (%s)', (cidr, code) => {
    const result = parse({ deployment: deployment.replace('vpcCidr: 10.42.0.0/20', `vpcCidr: ${cidr}`) });
    expect(summary(result)).toEqual([`deployment.yaml:17:14 error ${code}`]);
  });

  it('refuses an allowlist entry inside the VPC range: its addresses are the PROXY-protocol peers', () => {
    const result = parse({
      allowlist: allowlistYaml([entry('10.42.0.0/16')]),
    });
    expect(summary(result)).toEqual(['deployment.yaml:17:14 error vpc-cidr-allowlisted']);
    expect(result.diagnostics[0]?.message).toContain('allowlist.yaml line 3');
  });

  it('checks availability zones against the Region', () => {
    const result = parse({
      deployment: deployment.replace('eu-west-1b, eu-west-1c]', 'eu-west-1b, us-east-1c]'),
    });
    expect(summary(result)).toEqual(['deployment.yaml:24:49 error az-region-mismatch']);
  });

  it('refuses a zone listed twice', () => {
    const result = parse({
      deployment: deployment.replace('eu-west-1b, eu-west-1c]', 'eu-west-1b, eu-west-1b]'),
    });
    expect(summary(result)).toEqual(['deployment.yaml:24:49 error az-duplicate']);
  });

  const withZoneIds = (ids: string) =>
    deployment.replace(
      'availabilityZones: [eu-west-1a, eu-west-1b, eu-west-1c]',
      `availabilityZoneIds: [${ids}]`,
    );

  it('accepts zone IDs of the Region that Lattice supports', () => {
    const result = parse({ deployment: withZoneIds('euw1-az1, euw1-az2, euw1-az3') });
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.deployment.environments[1]?.availabilityZoneIds).toEqual([
      'euw1-az1',
      'euw1-az2',
      'euw1-az3',
    ]);
  });

  it.each([
    ['euw1-az1, euw1-az4, euw1-az2', 'deployment.yaml:24:37 error az-id-not-lattice'],
    ['euw1-az1, use1-az1, euw1-az2', 'deployment.yaml:24:37 error az-id-region-mismatch'],
    ['euw1-az1, euw1-az1, euw1-az2', 'deployment.yaml:24:37 error az-id-duplicate'],
    ['euw1-az1, eu-west-1a, euw1-az2', 'deployment.yaml:24:37 error invalid-value'],
  ])('checks zone IDs [%s]', (ids, expected) => {
    const result = parse({ deployment: withZoneIds(ids) });
    expect(summary(result)).toEqual([expected]);
  });

  it('names the unsupported zone and how to list the others', () => {
    const [finding] = parse({ deployment: withZoneIds('euw1-az4, euw1-az2, euw1-az3') }).diagnostics;
    expect(finding?.message).toContain('euw1-az4 is a zone VPC Lattice does not support');
    expect(finding?.hint).toContain('aws ec2 describe-availability-zones --region eu-west-1');
  });

  it('refuses zone names and zone IDs together', () => {
    const result = parse({
      deployment: deployment.replace(
        '    mode: both',
        '    availabilityZoneIds: [euw1-az1, euw1-az2, euw1-az3]\n    mode: both',
      ),
    });
    expect(summary(result)).toEqual(['deployment.yaml:25:26 error az-ids-and-names']);
  });

  it.each([
    ['eu-west-1', 'euw1'],
    ['us-east-1', 'use1'],
    ['ap-northeast-2', 'apne2'],
    ['ca-central-1', 'cac1'],
    ['il-central-1', 'ilc1'],
    ['ap-southeast-4', 'apse4'],
  ])('derives the zone ID prefix of %s: %s', (region, prefix) => {
    expect(zoneIdPrefix(region)).toBe(prefix);
  });

  const withAlarms = (alarms: string) =>
    deployment.replace('    mode: both', `    alarms: ${alarms}\n    mode: both`);

  it('accepts alarm thresholds and an SNS topic of the Region', () => {
    const result = parse({
      deployment: withAlarms(
        '{topicArn: "arn:aws:sns:eu-west-1:444455556666:ops", cpuPercent: 95, refusalsPer5Minutes: 50}',
      ),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.deployment.environments[1]?.alarms).toEqual({
      topicArn: 'arn:aws:sns:eu-west-1:444455556666:ops',
      noHealthyTargetMinutes: 2,
      belowDesiredMinutes: 5,
      cpuPercent: 95,
      cpuMinutes: 10,
      upstreamErrorsPer5Minutes: 25,
      refusalsPer5Minutes: 50,
    });
    const staging = result.config?.deployment.environments[0];
    expect(staging?.alarms.cpuPercent).toBeUndefined();
    // The default follows the scaling target (60 in the example): 25 points above it.
    if (staging && result.config) expect(cpuAlarmPercent(staging.alarms, result.config.scaling)).toBe(85);
    const busy = ScalingSchema.parse({ minTasks: 1, maxTasks: 2, cpuTargetPercent: 90 });
    expect(cpuAlarmPercent(AlarmsSchema.parse({}), busy)).toBe(100);
  });

  it.each([
    [
      '{topicArn: "arn:aws:sns:us-east-1:444455556666:ops"}',
      'deployment.yaml:25:24 error alarm-topic-region',
    ],
    ['{topicArn: "ops-alerts"}', 'deployment.yaml:25:24 error invalid-value'],
    ['{cpuPercent: 60}', 'deployment.yaml:25:26 error alarm-cpu-below-target'],
    ['{belowDesiredMinutes: 0}', 'deployment.yaml:25:35 error invalid-value'],
    ['{refusalsPerMinute: 5}', 'deployment.yaml:25:14 error unknown-key'],
  ])('checks alarms %s', (alarms, expected) => {
    expect(summary(parse({ deployment: withAlarms(alarms) }))).toEqual([expected]);
  });

  it('warns about a hosted zone the mode does not use', () => {
    const result = parse({ deployment: deployment.replace('mode: both', 'mode: private') });
    expect(summary(result)).toEqual(['deployment.yaml:32:9 warning hosted-zone-unused']);
  });
});

describe('per-service entries', () => {
  it('name services of services.yaml, each once, with a suggestion for a misspelt one', () => {
    const result = parse({
      allowlist: allowlistYaml([
        'cidr: 198.51.100.0/24, description: Partner, services: [orders, inventry, orders]',
      ]),
    });
    expect(summary(result)).toEqual([
      'allowlist.yaml:3:70 error entry-service-unknown',
      'allowlist.yaml:3:80 error entry-service-duplicate',
    ]);
    expect(result.diagnostics.find((d) => d.code === 'entry-service-unknown')?.hint).toBe(
      'did you mean "inventory"?',
    );
  });

  it('refuse an empty list: omit services to allow every service', () => {
    const result = parse({
      allowlist: allowlistYaml(['cidr: 203.0.113.0/24, description: Empty, services: []']),
    });
    expect(summary(result)).toEqual(['allowlist.yaml:3:58 error invalid-value']);
    expect(result.diagnostics[0]?.message).toContain('omit it to allow every service');
  });
});
