// Access groups: the compiled form the NGINX maps use agrees with the plain reading of the allowlist.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AccessEntry,
  compileAccess,
  compileAccessOfEach,
  mayReach,
} from '../../src/access/access-groups.ts';
import { containsCidr, parseCidr } from '../../src/config/cidr.ts';

const SERVICES = ['orders', 'inventory', 'billing'];

/** What geo does with the compiled entries: the most specific entry containing the address decides. */
function lookup(entries: readonly AccessEntry[], address: string, service: string): boolean {
  const compiled = compileAccess(entries, 100);
  const client = parseCidr(address);
  if (!client.ok) throw new Error(address);
  let best: { prefix: number; group: string } | undefined;
  compiled.entries.forEach(({ cidr, group }) => {
    const network = parseCidr(cidr);
    if (
      network.ok &&
      containsCidr(network.cidr, client.cidr) &&
      (!best || network.cidr.prefix > best.prefix)
    ) {
      best = { prefix: network.cidr.prefix, group };
    }
  });
  const group = compiled.groups.find((g) => g.id === best?.group);
  return group !== undefined && (group.services === undefined || group.services.includes(service));
}

describe('compileAccess', () => {
  it('puts entries with the same services and limit in one group', () => {
    const compiled = compileAccess(
      [
        { cidr: '198.51.100.0/24' },
        { cidr: '203.0.113.0/28', services: ['orders'] },
        { cidr: '192.0.2.0/24', services: ['orders'] },
        { cidr: '192.0.2.200/32', connectionsPerClient: 2000 },
      ],
      256,
    );
    expect(compiled.entries.map((e) => e.group)).toEqual(['g0', 'g1', 'g1', 'g2']);
    expect(compiled.groups).toEqual([
      { id: 'g0', connectionsPerClient: 256 },
      { id: 'g1', services: ['orders'], connectionsPerClient: 256 },
      // Inside 192.0.2.0/24: orders from the broader entry, every service from its own.
      { id: 'g2', connectionsPerClient: 2000 },
    ]);
    expect(compiled.limits).toEqual([256, 2000]);
  });

  it('gives a nested entry the union of services and the highest limit along its chain', () => {
    const compiled = compileAccess(
      [
        { cidr: '10.0.0.0/8', services: ['orders'], connectionsPerClient: 500 },
        { cidr: '10.1.0.0/16', services: ['billing'] },
      ],
      100,
    );
    expect(compiled.groups[1]).toEqual({
      id: 'g1',
      services: ['billing', 'orders'],
      connectionsPerClient: 500,
    });
  });
});

describe('mayReach', () => {
  it('admits a client for a service when any entry containing it grants the service', () => {
    const entries: AccessEntry[] = [
      { cidr: '198.51.100.0/24', services: ['orders'] },
      { cidr: '198.51.100.7/32', services: ['billing'] },
    ];
    expect(mayReach(entries, '198.51.100.7/32', 'orders')).toBe(true);
    expect(mayReach(entries, '198.51.100.7/32', 'billing')).toBe(true);
    expect(mayReach(entries, '198.51.100.8/32', 'billing')).toBe(false);
    expect(mayReach(entries, '192.0.2.1/32', 'orders')).toBe(false);
  });
});

describe('the compiled groups against the reference matcher', () => {
  // Networks inside 10.0.0.0/16 at a few prefix lengths, so entries nest often.
  const network = fc
    .tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(16, 20, 24, 28, 32),
    )
    .map(([c, d, prefix]) => {
      const value = (10 << 24) | (0 << 16) | (c << 8) | d;
      const mask = prefix === 32 ? 0xffffffff : ~((1 << (32 - prefix)) - 1);
      const n = (value & mask) >>> 0;
      return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${prefix}`;
    });
  const entry = fc.record(
    {
      cidr: network,
      services: fc.subarray(SERVICES, { minLength: 1 }),
      connectionsPerClient: fc.integer({ min: 1, max: 5 }),
    },
    { requiredKeys: ['cidr'] },
  );
  const address = fc
    .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
    .map(([c, d]) => `10.0.${c}.${d}/32`);

  it('agree for every client and service', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(entry, { selector: (e) => e.cidr, maxLength: 12 }),
        address,
        fc.constantFrom(...SERVICES),
        (entries, client, service) => lookup(entries, client, service) === mayReach(entries, client, service),
      ),
      { numRuns: 500 },
    );
  });

  it('are the same compiled together with another allowlist as compiled alone', () => {
    const side = fc.record({
      entries: fc.uniqueArray(entry, { selector: (e) => e.cidr, maxLength: 12 }),
      defaultLimit: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(side, side, (before, after) => {
        expect(compileAccessOfEach([before, after])).toEqual([
          compileAccess(before.entries, before.defaultLimit),
          compileAccess(after.entries, after.defaultLimit),
        ]);
      }),
      { numRuns: 300 },
    );
  });
});
