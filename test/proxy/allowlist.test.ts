// The allowlist in a real nginx, judged by the client address of PROXY v2 headers the test writes itself:
// exact edges of every entry (IPv4 and IPv6, HTTP and TLS), a property test against a reference matcher, and
// the trust rules for the header itself.
import { BlockList, isIPv6 } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Cidr, formatAddress, requireCanonicalCidr } from '../../src/config/cidr.ts';
import type { Config } from '../../src/config/model.ts';
import { exampleConfig } from './example-config.ts';
import { type Harness, httpGet, startHarness } from './harness.ts';

/** Shapes the example lacks: prefixes off octet and hextet boundaries, single addresses, the top of a range. */
const EXTRA_ENTRIES = ['100.64.0.0/10', '203.0.113.255/32', '2001:db8:8000::/33', '2001:db9::7/128'];
const SERVICE = 'orders.example.com';

let config: Config;
let networks: Cidr[];
let reference: BlockList;
let proxy: Harness;

beforeAll(async () => {
  const example = await exampleConfig();
  const entries = [
    ...example.allowlist.entries,
    ...EXTRA_ENTRIES.map((cidr) => ({ cidr, description: 'test entry' })),
  ];
  config = { ...example, allowlist: { ...example.allowlist, entries } };
  networks = entries.map((entry) => requireCanonicalCidr(entry.cidr));
  // The reference matcher: Node's own BlockList, independent of nginx and of src/render.
  reference = new BlockList();
  for (const network of networks) {
    reference.addSubnet(
      formatAddress(network.family, network.network),
      network.prefix,
      `ipv${network.family}`,
    );
  }
  proxy = await startHarness(config);
});
afterAll(() => proxy?.stop());

const allowedByReference = (address: string) => reference.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
const MAX = { 4: (1n << 32n) - 1n, 6: (1n << 128n) - 1n };

async function httpVerdict(address: string): Promise<'allowed' | 'denied'> {
  const outcome = await proxy.http(httpGet(SERVICE), address);
  if ('status' in outcome && outcome.status === 200) return 'allowed';
  if ('status' in outcome && outcome.status === 403) return 'denied';
  throw new Error(`unexpected answer for ${address}: ${JSON.stringify(outcome).slice(0, 200)}`);
}

async function tlsVerdict(address: string): Promise<'allowed' | 'denied'> {
  const outcome = await proxy.tls(SERVICE, address);
  return 'service' in outcome ? 'allowed' : 'denied';
}

describe('allowlist edges', () => {
  test('first and last address of every entry are allowed, the neighbours just outside are denied', async () => {
    const cases: { address: string; expected: 'allowed' | 'denied' }[] = [];
    for (const network of networks) {
      const { network: first, last } = network;
      const inside = [first, last];
      const outside = [first - 1n, last + 1n].filter((value) => value >= 0n && value <= MAX[network.family]);
      for (const value of inside)
        cases.push({ address: formatAddress(network.family, value), expected: 'allowed' });
      for (const value of outside)
        cases.push({ address: formatAddress(network.family, value), expected: 'denied' });
    }
    // The neighbours really are outside every entry, so "denied" is the right answer for them.
    for (const { address, expected } of cases)
      expect(allowedByReference(address), address).toBe(expected === 'allowed');
    expect(cases.some(({ address }) => isIPv6(address))).toBe(true);

    const http = await Promise.all(cases.map(async ({ address }) => [address, await httpVerdict(address)]));
    const tls = await Promise.all(cases.map(async ({ address }) => [address, await tlsVerdict(address)]));
    const expected = cases.map(({ address, expected }) => [address, expected]);
    expect(http).toEqual(expected);
    expect(tls).toEqual(expected);
  });

  test('addresses nowhere near any entry are denied, IPv4 and IPv6', async () => {
    for (const address of ['0.0.0.0', '8.8.8.8', '255.255.255.255', '::', '2001:4860::8888', 'fe80::1']) {
      expect(await httpVerdict(address), address).toBe('denied');
      expect(await tlsVerdict(address), address).toBe('denied');
    }
  });
});

describe('allowlist property', () => {
  /** Addresses near entry edges (where mistakes live), inside entries, and anywhere at all. */
  const address = fc.oneof(
    fc
      .tuple(fc.nat({ max: 1_000 }), fc.boolean(), fc.bigInt({ min: -300n, max: 300n }))
      .map(([pick, atEnd, offset]) => {
        const network = networks[pick % networks.length] as Cidr;
        const { network: first, last } = network;
        const value = (atEnd ? last : first) + offset;
        const clamped = value < 0n ? 0n : value > MAX[network.family] ? MAX[network.family] : value;
        return formatAddress(network.family, clamped);
      }),
    fc.bigInt({ min: 0n, max: MAX[4] }).map((value) => formatAddress(4, value)),
    // Global unicast IPv6, away from the IPv4-mapped range that nginx matches against the IPv4 entries.
    fc
      .bigInt({ min: 0x2000n << 112n, max: (0x3fffn << 112n) | ((1n << 112n) - 1n) })
      .map((v) => formatAddress(6, v)),
  );

  test('nginx allows exactly the addresses the reference matcher allows', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(address, { minLength: 60, maxLength: 60 }), async (addresses) => {
        const verdicts = await Promise.all(addresses.map(httpVerdict));
        const expected = addresses.map((a) => (allowedByReference(a) ? 'allowed' : 'denied'));
        expect(verdicts).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });
});

describe('trust in the PROXY header', () => {
  test('a header from a peer outside the trusted CIDRs is not believed: the peer is judged by its own address', async () => {
    // Trust 127.0.0.2 only and connect from 127.0.0.1, which is itself allowlisted for this check.
    const untrusted = await startHarness(config, {
      trustedProxyCidrs: ['127.0.0.2/32'],
      extraAllowlist: [{ cidr: '127.0.0.1/32', description: 'the test client itself' }],
    });
    const strict = await startHarness(config, { trustedProxyCidrs: ['127.0.0.2/32'] });
    try {
      // Claiming an allowlisted address from an untrusted, non-allowlisted peer gets nothing.
      expect(await strict.http(httpGet(SERVICE), '198.51.100.7')).toMatchObject({ status: 403 });
      expect(await strict.tls(SERVICE, '198.51.100.7')).toHaveProperty('refused');
      // Claiming a denied address from an untrusted but allowlisted peer changes nothing either.
      expect(await untrusted.http(httpGet(SERVICE), '8.8.8.8')).toMatchObject({ status: 200 });
      expect(await untrusted.tls(SERVICE, '8.8.8.8')).toMatchObject({ service: 'orders' });
    } finally {
      await untrusted.stop();
      await strict.stop();
    }
  });

  test('the same header from a trusted peer is believed (control)', async () => {
    expect(await httpVerdict('198.51.100.7')).toBe('allowed');
    expect(await httpVerdict('8.8.8.8')).toBe('denied');
  });

  test('a connection without a header is refused, even from an allowlisted peer', async () => {
    const local = await startHarness(config, {
      extraAllowlist: [{ cidr: '127.0.0.1/32', description: 'the test client itself' }],
    });
    try {
      expect(await local.http(httpGet(SERVICE), '127.0.0.1')).toMatchObject({ status: 200 });
      expect(await local.http(httpGet(SERVICE))).toEqual({ closed: true });
      expect(await local.tls(SERVICE)).toHaveProperty('refused');
    } finally {
      await local.stop();
    }
  });
});
