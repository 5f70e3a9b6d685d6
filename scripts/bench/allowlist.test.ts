import { describe, expect, it } from 'vitest';
import {
  type Cidr,
  canonicalCidr,
  compareCidrs,
  makeCidr,
  overlaps,
  parseCidr,
  parseIpv4,
} from '../../src/config/cidr.ts';
import { randomCidrs } from './allowlist.ts';

describe('benchmark allowlists', () => {
  const cidrs = randomCidrs(20_000, 7);
  const parsed = cidrs.map((text) => {
    const result = parseCidr(text);
    if (!result.ok) throw new Error(`${text}: ${result.reason}`);
    return result.cidr;
  });

  it('are canonical CIDRs of both families', () => {
    expect(parsed.map(canonicalCidr)).toEqual(cidrs);
    expect(parsed.some((cidr) => cidr.family === 6)).toBe(true);
    expect(parsed.some((cidr) => cidr.family === 4)).toBe(true);
  });

  it('never overlap and never contain the loopback client', () => {
    const sorted = [...parsed].sort(compareCidrs);
    for (let i = 1; i < sorted.length; i++) {
      expect(overlaps(sorted[i - 1] as Cidr, sorted[i] as Cidr)).toBe(false);
    }
    const loopback = makeCidr(4, parseIpv4('127.0.0.0') as bigint, 8);
    expect(parsed.filter((cidr) => overlaps(cidr, loopback))).toEqual([]);
  });

  it('are the same for the same seed and differ for another', () => {
    expect(randomCidrs(100, 7)).toEqual(cidrs.slice(0, 100));
    expect(randomCidrs(100, 8)).not.toEqual(cidrs.slice(0, 100));
  });
});
