// The code registry: every rule in its own file with declared codes, every declared code (the loader's and the
// rules') has a configuration that triggers it, a rule cannot report an undeclared code, and the documented code
// tables are the generated ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_TABLE_DOCS, codeTableBlocks } from '../../scripts/code-table.ts';
import { extractGeneratedBlock } from '../../scripts/generated-block.ts';
import { ruleCodeTable } from '../../src/config/code-table.ts';
import type { ExpiredEntries } from '../../src/config/expiry.ts';
import { LOAD_CODES, type LoadCode } from '../../src/config/load-codes.ts';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';
import { RULES } from '../../src/config/rules/registry.ts';
import { defineRule } from '../../src/config/rules/rule.ts';
import { allowlistYaml, exampleText, parse, REPO_ROOT, TODAY } from './sources.ts';

type Overrides = Partial<Record<ConfigPart, string | Uint8Array>>;
/** A failing case, checked for a pull request (lapsed entries refused) unless it says otherwise. */
type FailingCase = Overrides & { expired?: ExpiredEntries };

/** The example file with one piece of text replaced; fails loudly when the example no longer has that text. */
function edit(part: ConfigPart, from: string, to: string): Overrides {
  const text = exampleText(part);
  if (!text.includes(from))
    throw new Error(`the sample ${CONFIG_FILES[part].file} no longer contains ${from}`);
  return { [part]: text.replace(from, to) };
}

const entries = (...cidrs: string[]) =>
  allowlistYaml(cidrs.map((cidr) => `cidr: ${cidr}, description: Example entry`));
const ORDERS_LATTICE = 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';
const INVENTORY_LATTICE = 'inventory-0b2c3d4e5f6a7b8c9.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';
/** The same network as sn-0aaaaaaaaaaaaaaaa, by the ARN it is shared with. */
const SHARED_NETWORK = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0aaaaaaaaaaaaaaaa';

/** For each rule and each code it declares, the smallest change to the example configuration that triggers it. */
const FAILING_CASES: Record<string, Record<string, FailingCase>> = {
  'cidr-form': {
    'cidr-invalid': { allowlist: entries('10.0.0.0/33') },
    'cidr-not-canonical': { allowlist: entries('172.17.2.3/12') },
    'cidr-ipv4-mapped': { allowlist: entries('"::ffff:c633:6400/120"') },
  },
  'any-address': {
    'cidr-any-address': { allowlist: entries('0.0.0.0/0') },
    'allow-any-address-unused': edit('allowlist', 'allowAnyAddress: false', 'allowAnyAddress: true'),
  },
  overlap: {
    'cidr-duplicate': { allowlist: entries('192.0.2.0/24', '192.0.2.0/24') },
    'cidr-covered': { allowlist: entries('172.16.0.0/12', '172.20.0.0/16') },
    'cidr-nested': {
      allowlist: allowlistYaml([
        'cidr: 172.16.0.0/12, description: Orders only, services: [orders]',
        'cidr: 172.20.0.0/16, description: Every service',
      ]),
    },
  },
  'never-a-client': { 'cidr-never-a-client': { allowlist: entries('127.0.0.0/8') } },
  expiry: {
    'entry-expired': edit('allowlist', 'expires: 2030-06-30', 'expires: 2026-01-14'),
    'entry-expiring': edit('allowlist', 'expires: 2030-06-30', 'expires: 2026-01-20'),
    'date-invalid': edit('allowlist', 'expires: 2030-06-30', 'expires: 2026-02-30'),
    'entry-expired-left-out': {
      ...edit('allowlist', 'expires: 2030-06-30', 'expires: 2026-01-14'),
      expired: 'leave-out',
    },
  },
  'unique-names': {
    'service-name-duplicate': edit('services', 'name: inventory', 'name: orders'),
    'domain-duplicate': edit('services', 'domain: inventory.example.com', 'domain: orders.example.com'),
  },
  'lattice-domain': {
    'lattice-domain-shared': edit('services', INVENTORY_LATTICE, ORDERS_LATTICE),
    'lattice-domain-redundant': edit(
      'services',
      'domain: inventory.example.com',
      `domain: ${INVENTORY_LATTICE}`,
    ),
  },
  ports: { 'port-duplicate': edit('services', 'ports: [443]', 'ports: [443, 443]') },
  'task-count': {
    'scaling-min-above-max': edit('scaling', 'minTasks: 2', 'minTasks: 11'),
    'scaling-desired-out-of-range': edit('scaling', 'minTasks: 2', 'minTasks: 2\ndesiredTasks: 20'),
    'scaling-single-task': edit('scaling', 'minTasks: 2', 'minTasks: 1'),
  },
  'fargate-size': { 'fargate-size': edit('scaling', 'taskMemoryMiB: 1024', 'taskMemoryMiB: 8192') },
  region: { 'region-unknown': edit('deployment', 'region: eu-west-1', 'region: eu-wset-1') },
  'unique-environments': {
    'environment-duplicate': edit('deployment', 'name: production', 'name: staging'),
    'github-environment-duplicate': edit(
      'deployment',
      'repository: example-org/lattice-ingress\n    hostedZones',
      'repository: example-org/lattice-ingress\n      environment: staging\n    hostedZones',
    ),
  },
  'vpc-cidr': {
    'cidr-invalid': edit('deployment', 'vpcCidr: 10.42.0.0/20', 'vpcCidr: 10.42.0.0/33'),
    'vpc-cidr-family': edit('deployment', 'vpcCidr: 10.42.0.0/20', 'vpcCidr: "2001:db8::/56"'),
    'cidr-not-canonical': edit('deployment', 'vpcCidr: 10.42.0.0/20', 'vpcCidr: 10.42.0.1/20'),
    'vpc-cidr-size': edit('deployment', 'vpcCidr: 10.42.0.0/20', 'vpcCidr: 10.42.0.0/26'),
    'vpc-cidr-not-private': edit('deployment', 'vpcCidr: 10.42.0.0/20', 'vpcCidr: 100.64.0.0/20'),
  },
  'availability-zones': {
    'az-region-mismatch': edit('deployment', 'eu-west-1c]', 'eu-west-2c]'),
    'az-duplicate': edit('deployment', 'eu-west-1c]', 'eu-west-1b]'),
  },
  'zone-ids': {
    'az-ids-and-names': edit(
      'deployment',
      'eu-west-1c]',
      'eu-west-1c]\n    availabilityZoneIds: [euw1-az1, euw1-az2, euw1-az3]',
    ),
    'az-id-region-mismatch': edit(
      'deployment',
      'vpcCidr: 10.42.0.0/20',
      'vpcCidr: 10.42.0.0/20\n    availabilityZoneIds: [use1-az1, euw1-az2, euw1-az3]',
    ),
    'az-id-not-lattice': edit(
      'deployment',
      'vpcCidr: 10.42.0.0/20',
      'vpcCidr: 10.42.0.0/20\n    availabilityZoneIds: [euw1-az4, euw1-az2, euw1-az3]',
    ),
    'az-id-duplicate': edit(
      'deployment',
      'vpcCidr: 10.42.0.0/20',
      'vpcCidr: 10.42.0.0/20\n    availabilityZoneIds: [euw1-az1, euw1-az1, euw1-az3]',
    ),
  },
  'alarm-topic': {
    'alarm-topic-region': edit(
      'deployment',
      'vpcCidr: 10.42.0.0/20',
      'vpcCidr: 10.42.0.0/20\n    alarms:\n      topicArn: arn:aws:sns:us-east-1:111122223333:oncall',
    ),
  },
  'alarm-cpu': {
    'alarm-cpu-below-target': edit(
      'deployment',
      'vpcCidr: 10.42.0.0/20',
      'vpcCidr: 10.42.0.0/20\n    alarms:\n      cpuPercent: 50',
    ),
  },
  'hosted-zones': { 'hosted-zone-unused': edit('deployment', 'mode: both', 'mode: private') },
  'service-network-endpoints': {
    'sn-endpoint-region-mismatch': edit(
      'deployment',
      'serviceNetworkId: sn-0123456789abcdef0',
      `serviceNetworkId: sn-0123456789abcdef0\n    serviceNetworkEndpoints: ["${SHARED_NETWORK.replace('eu-west-1', 'us-east-1')}"]`,
    ),
    'sn-endpoint-duplicate': edit(
      'deployment',
      'serviceNetworkId: sn-0123456789abcdef0',
      `serviceNetworkId: sn-0123456789abcdef0\n    serviceNetworkEndpoints: [sn-0aaaaaaaaaaaaaaaa, "${SHARED_NETWORK}"]`,
    ),
    'sn-endpoint-subnet-space': edit(
      'deployment',
      'vpcCidr: 10.42.0.0/20',
      'vpcCidr: 10.42.0.0/24\n    serviceNetworkEndpoints: [sn-0aaaaaaaaaaaaaaaa, sn-0bbbbbbbbbbbbbbbb]',
    ),
    'sn-endpoint-associated': edit(
      'deployment',
      'serviceNetworkId: sn-0123456789abcdef0',
      'serviceNetworkId: sn-0123456789abcdef0\n    serviceNetworkEndpoints: [sn-0123456789abcdef0]',
    ),
  },
  'service-networks': {
    'service-network-unreachable': edit(
      'services',
      'domain: inventory.example.com',
      'domain: inventory.example.com\n    serviceNetwork: sn-0aaaaaaaaaaaaaaaa',
    ),
    'service-network-endpoint-name': {
      ...edit(
        'services',
        'domain: inventory.example.com',
        'domain: inventory.example.com\n    serviceNetwork: sn-0aaaaaaaaaaaaaaaa',
      ),
      ...edit(
        'deployment',
        'serviceNetworkId: sn-0123456789abcdef0',
        'serviceNetworkId: sn-0123456789abcdef0\n    serviceNetworkEndpoints: [sn-0aaaaaaaaaaaaaaaa]',
      ),
    },
    'endpoint-domain-without-endpoint': edit(
      'services',
      'domain: inventory.example.com',
      'domain: inventory.example.com\n    endpointDomains: [{ environment: staging, domain: inventory.internal.example.com }]',
    ),
    'endpoint-domain-environment': edit(
      'services',
      'domain: inventory.example.com',
      'domain: inventory.example.com\n    endpointDomains: [{ environment: prod, domain: inventory.internal.example.com }]',
    ),
  },
  'lattice-region': {
    'lattice-region-mismatch': edit(
      'services',
      ORDERS_LATTICE,
      ORDERS_LATTICE.replace('eu-west-1', 'us-east-1'),
    ),
  },
  'entry-services': {
    'entry-service-unknown': edit(
      'allowlist',
      'description: Head office IPv6',
      'description: Head office IPv6\n    services: [order]',
    ),
    'entry-service-duplicate': edit(
      'allowlist',
      'description: Head office IPv6',
      'description: Head office IPv6\n    services: [orders, orders]',
    ),
  },
  'vpc-allowlisted': { 'vpc-cidr-allowlisted': { allowlist: entries('10.42.0.0/24') } },
};

/** For each code of the loader, a file that makes the loader report it. */
const LOAD_FAILING_CASES: Record<LoadCode, Overrides> = {
  'file-too-large': { scaling: new Uint8Array(16 * 1024 * 1024 + 1).fill(0x20) },
  'not-utf8': { scaling: new Uint8Array([0x6d, 0x3a, 0x20, 0xff, 0x0a]) },
  'yaml-syntax': { scaling: 'minTasks: [2\n' },
  'yaml-too-deep': { scaling: `minTasks: ${'['.repeat(40)}1${']'.repeat(40)}\n` },
  'yaml-duplicate-key': edit('scaling', 'minTasks: 2', 'minTasks: 2\nminTasks: 3'),
  'yaml-anchor': edit('scaling', 'minTasks: 2', 'minTasks: &two 2'),
  'yaml-alias': edit('scaling', 'minTasks: 2', 'minTasks: &two 2\nmaxTasks: *two'),
  'empty-file': { scaling: '# nothing here\n' },
  'description-comment': edit(
    'allowlist',
    'description: Head office IPv6',
    'description: Head office IPv6 #2',
  ),
  'unknown-key': edit('scaling', 'minTasks: 2', 'minTasks: 2\nminimumTasks: 2'),
  'missing-key': edit('scaling', 'minTasks: 2\n', ''),
  'wrong-type': edit('scaling', 'minTasks: 2', 'minTasks: two'),
  'invalid-value': edit('deployment', 'mode: both', 'mode: everywhere'),
  'yaml-ambiguous-scalar': edit('scaling', 'taskMemoryMiB: 1024', 'taskMemoryMiB: 02000'),
};

describe('loader codes', () => {
  it.each(Object.entries(LOAD_CODES))('%s has a file that triggers it', (code, { severity }) => {
    const reported = parse(LOAD_FAILING_CASES[code as LoadCode]).diagnostics.filter((d) => d.code === code);
    expect(reported.map((d) => d.severity)).toContain(severity);
  });
});

const declared = RULES.flatMap((rule) =>
  Object.entries(rule.codes).map(([code, { severity }]) => ({ rule, code, severity })),
);

describe('rule registry', () => {
  it.each(declared.map((d) => [`${d.rule.name}: ${d.code}`, d] as const))(
    '%s has a configuration that triggers it',
    (_, { rule, code, severity }) => {
      const overrides = FAILING_CASES[rule.name]?.[code];
      expect(overrides, `add a failing case for ${code} to FAILING_CASES['${rule.name}']`).toBeDefined();
      const { expired, ...changed } = overrides ?? {};
      const reported = parse(changed, TODAY, expired).diagnostics.filter((d) => d.code === code);
      const files = rule.reads.map((part) => `config/${CONFIG_FILES[part].file}`);
      expect(
        reported.map((d) => ({ severity: d.severity, fromRuleFile: files.includes(d.file) })),
      ).toContainEqual({
        severity,
        fromRuleFile: true,
      });
    },
  );

  it('has no failing case for a code that is not declared', () => {
    const known = new Set(declared.map(({ rule, code }) => `${rule.name}/${code}`));
    const cases = Object.entries(FAILING_CASES).flatMap(([rule, codes]) =>
      Object.keys(codes).map((c) => `${rule}/${c}`),
    );
    expect(cases.filter((c) => !known.has(c))).toEqual([]);
  });

  it('registers every rule file under src/config/rules/<group>/, each once, named as its file', () => {
    const rulesDir = join(REPO_ROOT, 'src/config/rules');
    const groups = readdirSync(rulesDir, { withFileTypes: true }).filter((d) => d.isDirectory());
    const files = groups.flatMap((g) => readdirSync(join(rulesDir, g.name)).map((f) => `${g.name}/${f}`));
    expect(RULES.map((rule) => `${rule.group}/${rule.name}.ts`).sort()).toEqual(files.sort());
  });

  it('gives a code shared by two rules the same severity', () => {
    const severities = new Map<string, Set<string>>();
    for (const { code, severity } of declared)
      severities.set(code, (severities.get(code) ?? new Set()).add(severity));
    expect([...severities].filter(([, s]) => s.size > 1).map(([code]) => code)).toEqual([]);
  });

  it('lets a rule report only the codes it declares', () => {
    const rule = defineRule({
      name: 'example',
      group: 'scaling',
      reads: ['scaling'],
      codes: { 'example-code': { severity: 'warning', summary: 'an example' } },
      check(_config, _context, report) {
        report('example-code', { part: 'scaling', path: ['minTasks'] }, 'declared');
        // @ts-expect-error: the type of report admits only the declared codes.
        report('undeclared-code', { part: 'scaling', path: ['minTasks'] }, 'undeclared');
      },
    });
    expect(rule.codes).toEqual({ 'example-code': { severity: 'warning', summary: 'an example' } });
  });
});

describe('documented code tables', () => {
  it.each(codeTableBlocks().map((b) => [b.block.begin, b] as const))(
    'docs/configuration.md has exactly the generated %s',
    (_, { block, content }) => {
      const documented = extractGeneratedBlock(readFileSync(CODE_TABLE_DOCS, 'utf8'), block);
      expect(documented, 'run `npx tsx scripts/code-table.ts --write-docs`').toBe(content);
    },
  );

  it('lists every declared code once per rule, with its severity', () => {
    const table = ruleCodeTable(RULES);
    for (const { code, severity, rule } of declared) {
      expect(table).toContain(`| \`${code}\` | ${severity} |`);
      expect(table).toContain(`(../src/config/rules/${rule.group}/${rule.name}.ts)`);
    }
  });
});
