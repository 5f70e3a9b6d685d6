// Random, non-overlapping allowlists for the benchmarks: reproducible from a seed, never containing loopback, so the
// benchmark client's own /32 (appended last, the worst case for a linear list) is the only entry that matches it.
import type { AllowlistEntry } from '../../src/config/model.ts';

/** mulberry32: a small seeded generator, enough to make the same "random" allowlist on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Share of IPv6 entries, as a real allowlist mixes both families. */
const IPV6_SHARE = 0.1;

/**
 * `count` CIDRs, each inside its own /24 (IPv4, prefixes /24 to /32) or /48 (IPv6 under 2001:db8::/32, prefixes
 * /48 to /64), so no two overlap. First octets 1-126 and 128-223: never loopback, multicast or reserved space.
 */
export function randomCidrs(count: number, seed: number): string[] {
  const random = seededRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  const seen = new Set<string>();
  const cidrs: string[] = [];
  while (cidrs.length < count) {
    if (random() < IPV6_SHARE) {
      const block = 1 + int(0xffff);
      if (seen.has(`6:${block}`)) continue;
      seen.add(`6:${block}`);
      const prefix = 48 + int(17);
      // The network keeps the /48's own bits and zeroes below the prefix; the 4th hextet's top bits stay zero.
      cidrs.push(`2001:db8:${block.toString(16)}::/${prefix}`);
    } else {
      const first = 1 + int(222);
      if (first === 127) continue;
      const block = (first << 16) | int(0x10000);
      if (seen.has(`4:${block}`)) continue;
      seen.add(`4:${block}`);
      const prefix = 24 + int(9);
      const hostBits = 32 - prefix;
      const last = (int(256) >> hostBits) << hostBits;
      cidrs.push(`${first}.${(block >> 8) & 0xff}.${block & 0xff}.${last}/${prefix}`);
    }
  }
  return cidrs;
}

export function allowlistEntries(cidrs: readonly string[]): AllowlistEntry[] {
  return cidrs.map((cidr) => ({ cidr, description: 'benchmark entry' }));
}
