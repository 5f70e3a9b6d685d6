import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalCidr,
  containsCidr,
  formatAddress,
  formatIpv6,
  ipv4MappedEquivalent,
  parseAddress,
  parseCidr,
  parseIpv4,
  parseIpv6,
  requireCanonicalCidr,
  specialPurposeRange,
  vpcResolverAddress,
} from '../../src/config/cidr.ts';

const cidr = (text: string) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.reason}`);
  return parsed.cidr;
};

describe('IPv4', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['255.255.255.255', 0xffffffffn],
    ['198.51.100.7', 0xc6336407n],
  ])('parses %s', (text, value) => expect(parseIpv4(text)).toBe(value));

  it.each([
    '256.0.0.1',
    '1.2.3',
    '1.2.3.4.5',
    '010.0.0.1',
    '1.2.3.-4',
    '1.2.3.4 ',
    '0x1.2.3.4',
    '1..2.3',
    '',
  ])('refuses %j', (text) => expect(parseIpv4(text)).toBeUndefined());
});

describe('IPv6', () => {
  it.each([
    ['::', 0n],
    ['::1', 1n],
    ['2001:db8::', 0x20010db8n << 96n],
    ['2001:DB8:0:0:0:0:0:1', (0x20010db8n << 96n) | 1n],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n],
  ])('parses %s', (text, value) => expect(parseIpv6(text)).toBe(value));

  it.each([
    '1:2:3:4:5:6:7:8:9',
    '1::2::3',
    '12345::',
    'g::',
    '1:2:3:4:5:6:7',
    ':1::',
    '1:2:3:4:5:6:7::8',
    '',
  ])('refuses %j', (text) => expect(parseIpv6(text)).toBeUndefined());

  it.each([
    [0n, '::'],
    [1n, '::1'],
    [0x20010db8000000000000000000000001n, '2001:db8::1'],
    // RFC 5952: a single zero group is not compressed; the first of equal runs is.
    [0x20010db8000000010001000100010001n, '2001:db8:0:1:1:1:1:1'],
    [0x20010000000000010000000000000001n, '2001:0:0:1::1'],
    [0x20010db8000000000001000000000001n, '2001:db8::1:0:0:1'],
  ])('formats %s as %s', (value, text) => expect(formatIpv6(value)).toBe(text));
});

// RFC 5952 "A Recommendation for IPv6 Address Text Representation", section 4 "A Recommendation for IPv6 Text
// Representation": 4.1 "Leading zeros MUST be suppressed"; 4.2.1 "The use of the symbol '::' MUST be used to its
// maximum capability"; 4.2.2 "The symbol '::' MUST NOT be used to shorten just one 16-bit 0 field"; 4.2.3 "the
// longest run of consecutive 16-bit 0 fields MUST be shortened ... If the two runs ... are of equal length, the
// first sequence of zero bits MUST be shortened"; 4.3 "The characters ... MUST be represented in lowercase".
describe('RFC 5952 section 4 text representation', () => {
  it.each([
    ['4.1', '2001:0db8::0001', '2001:db8::1'],
    ['4.2.1', '2001:db8:0:0:0:0:2:1', '2001:db8::2:1'],
    ['4.2.1', '2001:db8::0:1', '2001:db8::1'],
    ['4.2.2', '2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['4.2.3', '2001:0:0:1:0:0:0:1', '2001:0:0:1::1'],
    ['4.2.3', '2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['4.3', '2001:DB8::ABCD:1', '2001:db8::abcd:1'],
  ])('section %s: %s is written %s', (_, text, canonical) => {
    const { family, value } = parseAddress(text);
    expect(formatAddress(family, value)).toBe(canonical);
  });
});

describe('parseAddress', () => {
  it('parses both families with the strict rules of parseCidr', () => {
    expect(parseAddress('198.51.100.7')).toEqual({ family: 4, value: 0xc6336407n });
    expect(parseAddress('::1')).toEqual({ family: 6, value: 1n });
    for (const text of ['010.0.0.1', '::ffff:192.0.2.1', 'fe80::1%eth0', ''])
      expect(() => parseAddress(text), text).toThrow(/not an IP address/);
  });
});

describe('requireCanonicalCidr and vpcResolverAddress', () => {
  it('accepts only the canonical spelling of a network', () => {
    expect(requireCanonicalCidr('10.42.0.0/20')).toMatchObject({
      family: 4,
      prefix: 20,
      network: 0x0a2a0000n,
    });
    expect(() => requireCanonicalCidr('10.42.0.1/20')).toThrow(
      '"10.42.0.1/20" is not canonical: write 10.42.0.0/20',
    );
    expect(() => requireCanonicalCidr('2001:0db8::/32')).toThrow('write 2001:db8::/32');
    expect(() => requireCanonicalCidr('10.42.0.0')).toThrow(/not a CIDR: missing the \/prefix/);
  });

  it('accepts an IPv4 network exactly when it is written as canonicalCidr writes it', () => {
    const octet = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('00', '01', '010'));
    const text = fc
      .tuple(
        octet,
        octet,
        octet,
        octet,
        fc.oneof(fc.integer({ min: 0, max: 33 }).map(String), fc.constant('08')),
      )
      .map(([a, b, c, d, prefix]) => `${a}.${b}.${c}.${d}/${prefix}`);
    // Networks that parse, half of them with host bits set: the canonical ones are what the check must accept.
    const network = fc
      .tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 32 }), fc.boolean())
      .map(([address, prefix, clearHostBits]) => {
        const size = 2 ** (32 - prefix);
        const value = clearHostBits ? address - (address % size) : address;
        return `${[24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.')}/${prefix}`;
      });
    fc.assert(
      fc.property(fc.oneof(text, network), (cidr) => {
        const parsed = parseCidr(cidr);
        const canonical = parsed.ok && canonicalCidr(parsed.cidr) === cidr;
        expect(throws(() => requireCanonicalCidr(cidr))).toBe(!canonical);
      }),
      { numRuns: 2000 },
    );
  });

  it('puts the VPC resolver at the network address plus two, IPv4 only', () => {
    expect(vpcResolverAddress('10.42.0.0/20')).toBe('10.42.0.2');
    expect(() => vpcResolverAddress('2001:db8::/56')).toThrow(/must be IPv4/);
  });
});

describe('parseCidr', () => {
  it.each([
    ['10.1.2.3/8', '10.0.0.0/8'],
    ['198.51.100.0/24', '198.51.100.0/24'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['2001:DB8:0::/32', '2001:db8::/32'],
    ['2001:db8:0:0:1::/64', '2001:db8::/64'],
    ['::/0', '::/0'],
  ])('canonical form of %s is %s', (text, canonical) => expect(canonicalCidr(cidr(text))).toBe(canonical));

  it.each([
    ['10.0.0.0', /prefix length/],
    ['10.0.0.0/33', /0 to 32/],
    ['2001:db8::/129', /0 to 128/],
    ['10.0.0.0/08', /prefix length/],
    ['010.0.0.0/8', /leading zeros/],
    ['fe80::1%eth0/64', /zone/],
    ['::ffff:192.0.2.1/128', /dotted/],
    ['2001:db8::g/64', /IPv6/],
    ['999.0.0.0/8', /IPv4/],
  ])('refuses %s', (text, reason) => {
    const parsed = parseCidr(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('finds containment within a family only', () => {
    expect(containsCidr(cidr('10.0.0.0/8'), cidr('10.200.0.0/16'))).toBe(true);
    expect(containsCidr(cidr('10.200.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    expect(containsCidr(cidr('0.0.0.0/0'), cidr('::/128'))).toBe(false);
    expect(containsCidr(cidr('2001:db8::/32'), cidr('2001:db8:ffff::/48'))).toBe(true);
  });

  it('maps IPv4-mapped IPv6 networks to their IPv4 form', () => {
    expect(ipv4MappedEquivalent(cidr('::ffff:c633:6400/120'))).toBe('198.51.100.0/24');
    expect(ipv4MappedEquivalent(cidr('2001:db8::/32'))).toBeUndefined();
  });

  it('knows ranges no client comes from', () => {
    expect(specialPurposeRange(cidr('127.0.0.1/32'))?.what).toBe('loopback');
    expect(specialPurposeRange(cidr('fe80::/64'))?.what).toBe('link-local');
    expect(specialPurposeRange(cidr('198.51.100.0/24'))).toBeUndefined();
    // Containing a special range is not the same as being inside one.
    expect(specialPurposeRange(cidr('0.0.0.0/0'))).toBeUndefined();
  });
});

function throws(check: () => unknown): boolean {
  try {
    check();
    return false;
  } catch {
    return true;
  }
}
