// IPv4 and IPv6 networks as integers, the one place addresses are parsed and written (config rules, the change
// plan, the renderer). Strict on purpose: one spelling per address, so that what a reviewer reads in the YAML is
// exactly what NGINX matches. Pure, no dependencies.

export type IpFamily = 4 | 6;

export interface Cidr {
  family: IpFamily;
  /** Address as written (host bits may be set). */
  address: bigint;
  prefix: number;
  /** First address of the network (host bits cleared). */
  network: bigint;
  /** Last address of the network. */
  last: bigint;
}

/** The hint for a value that is not a CIDR at all. */
export const WRITE_A_CIDR = 'write address/prefix, e.g. 198.51.100.0/24 or 2001:db8:100::/48';

export type CidrParseResult = { ok: true; cidr: Cidr } | { ok: false; reason: string };

const BITS: Record<IpFamily, number> = { 4: 32, 6: 128 };
const IPV6_GROUP = /^[0-9a-fA-F]{1,4}$/;
const PREFIX = /^(?:0|[1-9]\d{0,2})$/;

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** 198.51.100.7 -> integer; undefined for anything but four decimal octets without leading zeros. */
export function parseIpv4(text: string): bigint | undefined {
  const octets = IPV4.exec(text);
  if (!octets) return undefined;
  let value = 0;
  for (let i = 1; i <= 4; i++) {
    const octet = Number(octets[i]);
    if (octet > 255) return undefined;
    value = value * 256 + octet;
  }
  return BigInt(value);
}

/** 2001:db8::1 -> integer; accepts any valid hexadecimal spelling (canonical form is checked separately). */
export function parseIpv6(text: string): bigint | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (half: string | undefined) => (half ? half.split(':') : []);
  const head = groups(halves[0]);
  const tail = groups(halves[1]);
  const written = head.length + tail.length;
  if (halves.length === 2 ? written > 7 : written !== 8) return undefined;
  const all = [...head, ...Array<string>(8 - written).fill('0'), ...tail];
  if (!all.every((group) => IPV6_GROUP.test(group))) return undefined;
  return BigInt(`0x${all.map((group) => group.padStart(4, '0')).join('')}`);
}

/** A network from an address and prefix length, with its first and last address. */
export function makeCidr(family: IpFamily, address: bigint, prefix: number): Cidr {
  if (family === 4) {
    // Plain numbers are exact below 2^53 and spare the allocations of bigint arithmetic (100,000 entries).
    const size = 2 ** (32 - prefix);
    const first = Number(address) - (Number(address) % size);
    return { family, address, prefix, network: BigInt(first), last: BigInt(first + size - 1) };
  }
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  const network = address & ~hostMask;
  return { family, address, prefix, network, last: network | hostMask };
}

/** Parses address/prefix and explains what is wrong in terms a person can act on. */
export function parseCidr(text: string): CidrParseResult {
  const slash = text.indexOf('/');
  if (slash < 0)
    return { ok: false, reason: 'missing the /prefix length (use /32 for one IPv4 address, /128 for IPv6)' };
  const addressText = text.slice(0, slash);
  const prefixText = text.slice(slash + 1);
  if (addressText.includes('%'))
    return { ok: false, reason: 'zone ids (%eth0) have no meaning in an allowlist' };
  const family: IpFamily = addressText.includes(':') ? 6 : 4;
  if (!PREFIX.test(prefixText) || Number(prefixText) > BITS[family]) {
    return { ok: false, reason: `the prefix length must be a number from 0 to ${BITS[family]}` };
  }
  const prefix = Number(prefixText);
  if (family === 4) {
    const address = parseIpv4(addressText);
    if (address !== undefined) return { ok: true, cidr: makeCidr(family, address, prefix) };
    const leadingZero = addressText.split('.').some((octet) => /^0\d/.test(octet));
    return {
      ok: false,
      reason: leadingZero
        ? 'octets must not have leading zeros (some tools read 010 as octal 8, others as decimal 10)'
        : 'not an IPv4 address: four numbers from 0 to 255 separated by dots',
    };
  }
  if (addressText.includes('.')) {
    return {
      ok: false,
      reason: 'IPv6 with an embedded dotted IPv4 address is not accepted: write IPv4 networks in IPv4 form',
    };
  }
  const address = parseIpv6(addressText);
  if (address === undefined) {
    return { ok: false, reason: 'not an IPv6 address: up to eight groups of 1-4 hex digits, at most one ::' };
  }
  return { ok: true, cidr: makeCidr(family, address, prefix) };
}

/** An address without a prefix, in either family and the same strict spelling rules as parseCidr. */
export function parseAddress(text: string): { family: IpFamily; value: bigint } {
  const family: IpFamily = text.includes(':') ? 6 : 4;
  const value = family === 4 ? parseIpv4(text) : parseIpv6(text);
  if (value === undefined) throw new Error(`"${text}" is not an IP address`);
  return { family, value };
}

/** Parses a network the renderer was handed; throws unless it is written in its one canonical spelling. */
export function requireCanonicalCidr(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`"${text}" is not a CIDR: ${parsed.reason}`);
  // IPv4 that parses has one spelling (no leading zeros), so only host bits can make it differ; the renderer checks
  // every entry of 100,000-entry allowlists, where writing each network out again costs as much as parsing it.
  const ipv4AsWritten = parsed.cidr.family === 4 && parsed.cidr.address === parsed.cidr.network;
  const canonical = ipv4AsWritten ? text : canonicalCidr(parsed.cidr);
  if (canonical !== text) throw new Error(`"${text}" is not canonical: write ${canonical}`);
  return parsed.cidr;
}

/** The Amazon-provided DNS server of a VPC: its network address plus two. */
export function vpcResolverAddress(vpcCidr: string): string {
  const cidr = requireCanonicalCidr(vpcCidr);
  if (cidr.family !== 4) throw new Error(`VPC CIDR ${vpcCidr} must be IPv4`);
  return formatIpv4(cidr.network + 2n);
}

export function formatIpv4(value: bigint): string {
  const n = Number(value);
  return `${Math.floor(n / 16777216)}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (>= 2) of zero groups compressed, first on a tie. */
export function formatIpv6(value: bigint): string {
  const hex = value.toString(16).padStart(32, '0');
  const groups = Array.from({ length: 8 }, (_, i) => Number.parseInt(hex.slice(i * 4, i * 4 + 4), 16));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let end = i;
    while (end < 8 && groups[end] === 0) end++;
    if (end - i > bestLength) {
      bestStart = i;
      bestLength = end - i;
    }
    i = end;
  }
  const text = (gs: number[]) => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return text(groups);
  return `${text(groups.slice(0, bestStart))}::${text(groups.slice(bestStart + bestLength))}`;
}

export function formatAddress(family: IpFamily, value: bigint): string {
  return family === 4 ? formatIpv4(value) : formatIpv6(value);
}

/** The one accepted spelling of the network: host bits cleared, RFC 5952 for IPv6. */
export function canonicalCidr(cidr: Cidr): string {
  return `${formatAddress(cidr.family, cidr.network)}/${cidr.prefix}`;
}

/** True when every address of inner is also in outer (networks either nest or are disjoint). */
export function containsCidr(outer: Cidr, inner: Cidr): boolean {
  return (
    outer.family === inner.family &&
    outer.prefix <= inner.prefix &&
    outer.network <= inner.network &&
    inner.network <= outer.last
  );
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return containsCidr(a, b) || containsCidr(b, a);
}

/** Orders by family, then network, then broader first: the order the overlap sweep needs. */
export function compareCidrs(a: Cidr, b: Cidr): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.network !== b.network) return a.network < b.network ? -1 : 1;
  return a.prefix - b.prefix;
}

/** Networks that IPv4 clients can never come from (loopback, link-local, multicast, reserved...). */
const NEVER_A_CLIENT: readonly [string, string][] = [
  ['0.0.0.0/8', '"this network"'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'loopback'],
  ['fe80::/10', 'link-local'],
  ['ff00::/8', 'multicast'],
];

function builtin(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`bad built-in network ${text}`);
  return parsed.cidr;
}

const NEVER_A_CLIENT_PARSED = NEVER_A_CLIENT.map(([text, what]) => ({ cidr: builtin(text), text, what }));

/** If the whole network lies in a range no client address comes from, says which. */
export function specialPurposeRange(cidr: Cidr): { text: string; what: string } | undefined {
  return NEVER_A_CLIENT_PARSED.find((range) => containsCidr(range.cidr, cidr));
}

const RFC1918 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map(builtin);
const IPV4_MAPPED = builtin('::ffff:0:0/96');

/** True when the network is inside 10/8, 172.16/12 or 192.168/16. */
export function isPrivateIpv4(cidr: Cidr): boolean {
  return RFC1918.some((range) => containsCidr(range, cidr));
}

/** ::ffff:192.0.2.0/120 -> 192.0.2.0/24: IPv4-mapped IPv6 networks never match, clients arrive as IPv4. */
export function ipv4MappedEquivalent(cidr: Cidr): string | undefined {
  if (!containsCidr(IPV4_MAPPED, cidr)) return undefined;
  return canonicalCidr(makeCidr(4, cidr.address & 0xffffffffn, cidr.prefix - 96));
}
