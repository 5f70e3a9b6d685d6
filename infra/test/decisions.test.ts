// The synth-time decisions as plain functions: which clients the load balancers admit, subnet sizes, DNS records.
import { describe, expect, it } from 'vitest';
import type { Allowlist, Service } from '../../src/config/model.ts';
import { clientSources, PREFIX_LIST_MAX_ENTRIES } from '../constructs/client-sources.ts';
import { inZone, latticeAliases } from '../constructs/dns.ts';
import { subnetCidrMask } from '../constructs/network.ts';

const allowlist = (cidrs: string[], allowAnyAddress = false): Allowlist => ({
  allowAnyAddress,
  entries: cidrs.map((cidr, i) => ({ cidr, description: `entry ${i}` })),
});
const ipv4s = (n: number) => Array.from({ length: n }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`);

describe('clientSources', () => {
  it('mirrors an allowlist of up to the threshold into a prefix list per family', () => {
    const sources = clientSources(allowlist([...ipv4s(PREFIX_LIST_MAX_ENTRIES), '2001:db8::/32']), true);
    expect(sources.ipv4).toMatchObject({ kind: 'prefix-list' });
    expect(sources.ipv4.kind === 'prefix-list' && sources.ipv4.entries).toHaveLength(PREFIX_LIST_MAX_ENTRIES);
    expect(sources.ipv6).toEqual({
      kind: 'prefix-list',
      entries: [{ cidr: '2001:db8::/32', description: `entry ${PREFIX_LIST_MAX_ENTRIES}` }],
    });
  });

  it('admits the whole family past the threshold or when the allowlist admits any address', () => {
    expect(clientSources(allowlist(ipv4s(PREFIX_LIST_MAX_ENTRIES + 1)), false).ipv4.kind).toBe('anywhere');
    expect(clientSources(allowlist(['0.0.0.0/0'], true), false).ipv4.kind).toBe('anywhere');
    expect(clientSources(allowlist(['::/0'], true), true).ipv6?.kind).toBe('anywhere');
  });

  it('admits nothing of a family the allowlist does not mention, and no IPv6 without dual-stack', () => {
    expect(clientSources(allowlist(['2001:db8::/32']), true).ipv4).toEqual({ kind: 'none' });
    expect(clientSources(allowlist(['2001:db8::/32']), false).ipv6).toBeUndefined();
  });
});

describe('subnetCidrMask', () => {
  it('makes eight equal slices of the VPC', () => {
    expect(subnetCidrMask('10.0.0.0/16')).toBe(19);
    expect(subnetCidrMask('10.0.0.0/20')).toBe(23);
    expect(subnetCidrMask('10.0.0.0/24')).toBe(27);
  });

  it('refuses VPC sizes outside /16../24', () => {
    expect(() => subnetCidrMask('10.0.0.0/25')).toThrow(/between \/16 and \/24/);
    expect(() => subnetCidrMask('10.0.0.0/8')).toThrow(/between \/16 and \/24/);
  });
});

describe('DNS decisions', () => {
  const service = (domain: string, latticeDomain?: string): Service => ({
    name: domain.split('.')[0] ?? 'x',
    domain,
    latticeDomain,
    ports: [443],
    auth: 'iam',
    smoke: { path: '/', expect: 200 },
  });
  const lattice = 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';

  it('groups CNAMEs by parent zone and skips services addressed by their Lattice name', () => {
    const zones = latticeAliases([
      service('orders.example.com', lattice),
      service('api.eu.example.com', lattice),
      service(lattice),
    ]);
    expect([...zones.keys()].sort()).toEqual(['eu.example.com', 'example.com']);
    expect(zones.get('example.com')).toEqual([{ domain: 'orders.example.com', target: lattice }]);
  });

  it('matches a zone by whole labels', () => {
    expect(inZone('orders.example.com', 'example.com')).toBe(true);
    expect(inZone('example.com', 'example.com')).toBe(true);
    expect(inZone('orders.badexample.com', 'example.com')).toBe(false);
  });
});
