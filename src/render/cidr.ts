// CIDR arithmetic the renderer needs: parse a network, check it is canonical, and derive the VPC resolver address.
import { isIPv4, isIPv6 } from 'node:net';

export interface Network {
  family: 4 | 6;
  /** The network address as an integer (128 bits for IPv6). */
  base: bigint;
  prefix: number;
}

const BITS = { 4: 32, 6: 128 } as const;

export function parseAddress(text: string): { family: 4 | 6; value: bigint } {
  if (isIPv4(text)) {
    const value = text.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
    return { family: 4, value };
  }
  if (isIPv6(text)) return { family: 6, value: parseIPv6(text) };
  throw new Error(`"${text}" is not an IP address`);
}

function parseIPv6(text: string): bigint {
  let body = text;
  // An embedded IPv4 tail (::ffff:192.0.2.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(body)?.[1];
  if (v4) {
    const value = parseAddress(v4).value;
    body = `${body.slice(0, -v4.length)}${(value >> 16n).toString(16)}:${(value & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = body.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const hextets =
    tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return hextets.reduce((acc, hextet) => (acc << 16n) | BigInt(Number.parseInt(hextet, 16)), 0n);
}

/** Parses `address/prefix`; throws unless the address is the network's first address (canonical form). */
export function parseCidr(text: string): Network {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!match) throw new Error(`"${text}" is not in CIDR form address/prefix`);
  const { family, value } = parseAddress(match[1] as string);
  const prefix = Number(match[2]);
  if (prefix > BITS[family]) throw new Error(`"${text}": prefix longer than ${BITS[family]} bits`);
  if ((value & hostMask(family, prefix)) !== 0n) {
    throw new Error(`"${text}" is not canonical: host bits are set`);
  }
  return { family, base: value, prefix };
}

function hostMask(family: 4 | 6, prefix: number): bigint {
  return (1n << BigInt(BITS[family] - prefix)) - 1n;
}

/** First and last address of a network. */
export function networkRange(network: Network): { first: bigint; last: bigint } {
  return { first: network.base, last: network.base | hostMask(network.family, network.prefix) };
}

export function formatAddress(family: 4 | 6, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
  }
  const hextets = Array.from({ length: 8 }, (_, i) =>
    ((value >> BigInt(112 - i * 16)) & 0xffffn).toString(16),
  );
  return hextets.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** The Amazon-provided DNS server of a VPC: its base address plus two. */
export function vpcResolverAddress(vpcCidr: string): string {
  const network = parseCidr(vpcCidr);
  if (network.family !== 4) throw new Error(`VPC CIDR ${vpcCidr} must be IPv4`);
  return formatAddress(4, network.base + 2n);
}
