// Break-glass revocation, the pure part: what a revoke may do, what a deployment may lift, how the allowlist changes.
import { describe, expect, it } from 'vitest';
import { replaceEntries } from '../../src/access/allowlist-edit.ts';
import {
  allowlistWithoutRange,
  liftableDenies,
  planRevocation,
  REVOCATION_RULES,
  subtract,
} from '../../src/access/revocation.ts';
import { canonicalCidr, parseCidr } from '../../src/config/cidr.ts';
import { parseYamlSource } from '../../src/config/yaml-source.ts';

const VPC = '10.42.0.0/20';
const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(text);
  return parsed.cidr;
};

describe('planRevocation', () => {
  it('takes the lowest free reserved rule number', () => {
    const existing = [
      { ruleNumber: REVOCATION_RULES.first, cidr: '192.0.2.0/24' },
      { ruleNumber: REVOCATION_RULES.first + 2, cidr: '198.51.100.0/24' },
    ];
    expect(planRevocation({ cidr: '203.0.113.7/32', vpcCidr: VPC, existing })).toEqual({
      kind: 'create',
      ruleNumber: REVOCATION_RULES.first + 1,
      cidr: '203.0.113.7/32',
    });
  });

  it('changes nothing for a range an existing deny already covers', () => {
    const existing = [{ ruleNumber: 101, cidr: '203.0.113.0/24' }];
    expect(planRevocation({ cidr: '203.0.113.16/28', vpcCidr: VPC, existing })).toMatchObject({
      kind: 'already-denied',
      rule: existing[0],
    });
  });

  it.each([
    ['not-a-cidr', /not a CIDR/],
    ['203.0.113.7/24', /host bits set; the network it names is 203\.0\.113\.0\/24/],
    ['8.0.0.0/7', /wider than \/8/],
    ['2001:db8::/31', /wider than \/32/],
    ['10.42.3.0/24', /overlaps the VPC's own range/],
    ['10.0.0.0/8', /overlaps the VPC's own range/],
  ])('refuses %s with a reason and a fix', (text, reason) => {
    const plan = planRevocation({ cidr: text, vpcCidr: VPC, existing: [] });
    expect(plan.kind).toBe('refused');
    if (plan.kind === 'refused') {
      expect(plan.reason).toMatch(reason);
      expect(plan.fix.length).toBeGreaterThan(0);
    }
  });

  it('refuses when every reserved rule is taken', () => {
    const existing = Array.from({ length: REVOCATION_RULES.count }, (_, i) => ({
      ruleNumber: REVOCATION_RULES.first + i,
      cidr: `192.0.2.${i}/32`,
    }));
    expect(planRevocation({ cidr: '203.0.113.7/32', vpcCidr: VPC, existing })).toMatchObject({
      kind: 'refused',
      reason: `all ${REVOCATION_RULES.count} revocation rules are in use`,
    });
  });
});

describe('liftableDenies', () => {
  const denies = [
    { ruleNumber: 100, cidr: '203.0.113.16/28' },
    { ruleNumber: 101, cidr: '198.51.100.7/32' },
  ];

  it('lifts a deny once no allowlist entry admits any address of its range', () => {
    const allowlist = [{ cidr: '198.51.100.0/24', description: 'Head office' }];
    expect(liftableDenies(denies, allowlist)).toEqual([denies[0]]);
  });

  it('keeps a deny while a broader entry still admits the range', () => {
    const allowlist = [
      { cidr: '203.0.113.0/24', description: 'Partner' },
      { cidr: '198.51.100.0/24', description: 'Head office' },
    ];
    expect(liftableDenies(denies, allowlist)).toEqual([]);
  });
});

describe('subtract', () => {
  it('covers exactly the rest of the outer network, in address order', () => {
    const rest = subtract(cidr('203.0.113.0/24'), cidr('203.0.113.16/28')).map(canonicalCidr);
    expect(rest).toEqual(['203.0.113.0/28', '203.0.113.32/27', '203.0.113.64/26', '203.0.113.128/25']);
    const size = rest.map(cidr).reduce((sum, c) => sum + (c.last - c.network + 1n), 0n);
    expect(size).toBe(256n - 16n);
  });
});

describe('allowlistWithoutRange', () => {
  const allowlist = [
    { cidr: '198.51.100.0/24', description: 'Head office' },
    { cidr: '203.0.113.16/28', description: 'Partner', expires: '2030-06-30' },
    { cidr: '2001:db8:100::/48', description: 'Head office IPv6' },
  ];

  it('removes an entry inside the range', () => {
    const { replace } = allowlistWithoutRange(allowlist, '203.0.113.0/24', '2026-03-10');
    expect([...replace]).toEqual([[1, []]]);
  });

  it('narrows an entry that contains the range, keeping its description and expiry', () => {
    const { replace } = allowlistWithoutRange(allowlist, '198.51.100.128/25', '2026-03-10');
    expect(replace.get(0)).toEqual([
      {
        cidr: '198.51.100.0/25',
        description: 'Head office (narrowed: 198.51.100.128/25 revoked 2026-03-10)',
      },
    ]);
  });

  it('writes the narrowed entries into the YAML where the old one stood, quoted where YAML needs it', () => {
    const text = [
      'entries:',
      '  - cidr: 198.51.100.0/24',
      '    description: Head office',
      '  - cidr: 203.0.113.16/28',
      '    description: Partner',
      '',
    ].join('\n');
    const { replace } = allowlistWithoutRange(allowlist.slice(0, 2), '198.51.100.0/25', '2026-03-10');
    expect(replaceEntries(parseYamlSource(text), replace)).toBe(
      [
        'entries:',
        '  - cidr: 198.51.100.128/25',
        // Unquoted, ": " would start a mapping: the file would no longer parse.
        '    description: "Head office (narrowed: 198.51.100.0/25 revoked 2026-03-10)"',
        '  - cidr: 203.0.113.16/28',
        '    description: Partner',
        '',
      ].join('\n'),
    );
  });
});
