// The plan's access section: what each allowlisted range may reach before and after a change. The expected values
// were captured from the range-by-range implementation (mayReach per range and service) that the compiled
// comparison replaced; the property below keeps the two judgements equal on random small allowlists.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mayReach } from '../access/access-groups.ts';
import type { AllowlistEntry, Config } from '../config/model.ts';
import { type AccessChange, accessChanges } from './plan.ts';

interface Entry {
  cidr: string;
  services?: string[];
}

const SERVICES = ['orders', 'inventory', 'status-page'];

/** The two parts accessChanges reads, as a parsed configuration would hold them. */
function configOf(entries: readonly Entry[], services = SERVICES): Config {
  return {
    allowlist: {
      allowAnyAddress: false,
      entries: entries.map((entry) => ({ ...entry, description: 'Example' })),
    },
    services: { services: services.map((name) => ({ name })) },
  } as unknown as Config;
}

const office: Entry[] = [
  { cidr: '198.51.100.0/24' },
  { cidr: '203.0.113.16/28', services: ['orders'] },
  { cidr: '192.0.2.10/32', services: ['inventory', 'status-page'] },
  { cidr: '2001:db8:100::/48' },
  { cidr: '2001:db8:200::/56', services: ['status-page'] },
];
const replacing = (cidr: string, by: Entry[]) =>
  office.flatMap((entry) => (entry.cidr === cidr ? by : [entry]));
const change = (cidr: string, gained: string[], lost: string[] = []): AccessChange => ({
  cidr,
  gained,
  lost,
});
const EVERY = SERVICES;

const CASES: {
  name: string;
  base?: Entry[];
  head: Entry[];
  baseServices?: string[];
  headServices?: string[];
  expected: AccessChange[];
}[] = [
  {
    name: 'an IPv4 entry for every service added',
    base: office,
    head: [...office, { cidr: '192.0.2.128/25' }],
    expected: [change('192.0.2.128/25', EVERY)],
  },
  {
    name: 'an IPv6 entry for one service added',
    base: office,
    head: [...office, { cidr: '2001:db8:300::/48', services: ['orders'] }],
    expected: [change('2001:db8:300::/48', ['orders'])],
  },
  {
    name: 'an IPv4 entry with services removed',
    base: office,
    head: replacing('203.0.113.16/28', []),
    expected: [change('203.0.113.16/28', [], ['orders'])],
  },
  {
    name: 'an IPv6 entry removed',
    base: office,
    head: replacing('2001:db8:100::/48', []),
    expected: [change('2001:db8:100::/48', [], EVERY)],
  },
  {
    name: 'an IPv4 entry narrowed',
    base: office,
    head: replacing('198.51.100.0/24', [{ cidr: '198.51.100.0/25' }]),
    expected: [change('198.51.100.0/24', [], EVERY)],
  },
  {
    name: 'an IPv6 entry widened',
    base: office,
    head: replacing('2001:db8:200::/56', [{ cidr: '2001:db8:200::/48', services: ['status-page'] }]),
    expected: [change('2001:db8:200::/48', ['status-page'])],
  },
  {
    name: 'an IPv4 entry limited to one service',
    base: office,
    head: replacing('198.51.100.0/24', [{ cidr: '198.51.100.0/24', services: ['orders'] }]),
    expected: [change('198.51.100.0/24', [], ['inventory', 'status-page'])],
  },
  {
    name: 'an IPv6 entry given another service',
    base: office,
    head: replacing('2001:db8:200::/56', [
      { cidr: '2001:db8:200::/56', services: ['status-page', 'orders'] },
    ]),
    expected: [change('2001:db8:200::/56', ['orders'])],
  },
  {
    name: 'a limit lifted from an IPv4 entry',
    base: office,
    head: replacing('192.0.2.10/32', [{ cidr: '192.0.2.10/32' }]),
    expected: [change('192.0.2.10/32', ['orders'])],
  },
  {
    name: 'broad entries added around limited ones',
    base: office,
    head: [
      ...office,
      { cidr: '203.0.113.0/24', services: ['inventory'] },
      { cidr: '2001:db8::/32', services: ['orders'] },
    ],
    expected: [
      change('2001:db8:200::/56', ['orders']),
      change('2001:db8::/32', ['orders']),
      change('203.0.113.0/24', ['inventory']),
      change('203.0.113.16/28', ['inventory']),
    ],
  },
  {
    name: 'a broad entry removed from around nested ones',
    base: [...office, { cidr: '198.51.100.0/26', services: ['orders'] }, { cidr: '2001:db8::/32' }],
    head: [...office, { cidr: '198.51.100.0/26', services: ['orders'] }],
    expected: [change('2001:db8:200::/56', [], ['orders', 'inventory']), change('2001:db8::/32', [], EVERY)],
  },
  {
    name: 'a nested entry removed inside one for every service',
    base: [...office, { cidr: '198.51.100.64/26', services: ['orders'] }],
    head: office,
    expected: [],
  },
  {
    name: 'a nested entry narrowed inside a broader limited one',
    base: [
      { cidr: '10.0.0.0/8', services: ['orders'] },
      { cidr: '10.1.0.0/16', services: ['inventory'] },
    ],
    head: [
      { cidr: '10.0.0.0/8', services: ['orders'] },
      { cidr: '10.1.0.0/17', services: ['inventory'] },
    ],
    expected: [change('10.1.0.0/16', [], ['inventory'])],
  },
  {
    name: 'a new service that the entries for every service reach',
    base: office,
    head: office,
    headServices: [...SERVICES, 'billing'],
    expected: [change('198.51.100.0/24', ['billing']), change('2001:db8:100::/48', ['billing'])],
  },
  {
    name: 'a new service and an entry limited to it',
    base: office,
    head: [...office, { cidr: '192.0.2.64/26', services: ['billing'] }],
    headServices: [...SERVICES, 'billing'],
    expected: [
      change('192.0.2.64/26', ['billing']),
      change('198.51.100.0/24', ['billing']),
      change('2001:db8:100::/48', ['billing']),
    ],
  },
  {
    name: 'a service removed (the services section reports it)',
    base: office,
    head: office,
    baseServices: [...SERVICES, 'billing'],
    expected: [],
  },
  {
    name: 'no base allowlist yet',
    head: office,
    expected: [
      change('192.0.2.10/32', ['inventory', 'status-page']),
      change('198.51.100.0/24', EVERY),
      change('2001:db8:100::/48', EVERY),
      change('2001:db8:200::/56', ['status-page']),
      change('203.0.113.16/28', ['orders']),
    ],
  },
  { name: 'nothing changed', base: office, head: office, expected: [] },
];

/** The range-by-range judgement the compiled comparison replaced: mayReach per range and service. */
function naiveAccessChanges(before: Entry[], after: Entry[], services: string[]): AccessChange[] {
  const reach = (entries: AllowlistEntry[], cidr: string) =>
    services.filter((service) => mayReach(entries, cidr, service));
  const [b, a] = [configOf(before), configOf(after)].map((config) => config.allowlist.entries) as [
    AllowlistEntry[],
    AllowlistEntry[],
  ];
  const cidrs = [...new Set([...before, ...after].map((entry) => entry.cidr))].sort((x, y) =>
    x < y ? -1 : x > y ? 1 : 0,
  );
  return cidrs.flatMap((cidr) => {
    const was = reach(b, cidr);
    const is = reach(a, cidr);
    const gained = is.filter((service) => !was.includes(service));
    const lost = was.filter((service) => !is.includes(service));
    return gained.length + lost.length > 0 ? [{ cidr, gained, lost }] : [];
  });
}

describe('accessChanges', () => {
  it.each(CASES)('$name', ({ base, head, baseServices, headServices, expected }) => {
    const before = base ? configOf(base, baseServices) : undefined;
    expect(accessChanges(before, configOf(head, headServices))).toEqual(expected);
  });

  // Networks inside 10.0.0.0/16 and 2001:db8::/32 at a few prefix lengths, so entries nest often.
  const ipv4 = fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom(16, 20, 24, 28, 32))
    .map(([c, prefix]) => {
      const value = ((10 << 24) | (c << 8)) >>> 0;
      const mask = prefix === 32 ? 0xffffffff : ~((1 << (32 - prefix)) - 1);
      const n = (value & mask) >>> 0;
      return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${prefix}`;
    });
  const ipv6 = fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.constantFrom(32, 36, 40))
    .map(([c, prefix]) =>
      prefix === 32 ? '2001:db8::/32' : `2001:db8:${(c << (48 - prefix)).toString(16)}::/${prefix}`,
    );
  const entry = fc.record(
    { cidr: fc.oneof(ipv4, ipv6), services: fc.subarray(SERVICES, { minLength: 1 }) },
    { requiredKeys: ['cidr'] },
  );
  const allowlist = fc.uniqueArray(entry, { selector: (e) => e.cidr, maxLength: 10 });
  // A base only has to parse: the same network may be written another way, with host bits set.
  const hostBitsSet = fc.constantFrom('10.0.0.1/16', '10.0.4.255/20', '2001:db8:1::1/32');

  it('agrees with the range-by-range judgement on random allowlists', () => {
    fc.assert(
      fc.property(allowlist, fc.array(hostBitsSet, { maxLength: 2 }), allowlist, (base, odd, after) => {
        const before = [...base, ...odd.map((cidr) => ({ cidr }))];
        expect(accessChanges(configOf(before), configOf(after))).toEqual(
          naiveAccessChanges(before, after, SERVICES),
        );
      }),
      { numRuns: 300 },
    );
  });
});
