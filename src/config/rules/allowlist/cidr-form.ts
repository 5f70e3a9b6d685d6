// Each entry is one network in its one accepted spelling, so what a reviewer reads is exactly what NGINX matches.
import { canonicalCidr, ipv4MappedEquivalent, WRITE_A_CIDR } from '../../cidr.ts';
import { defineRule } from '../rule.ts';

export const cidrForm = defineRule({
  name: 'cidr-form',
  group: 'allowlist',
  reads: ['allowlist'],
  codes: {
    'cidr-invalid': {
      severity: 'error',
      summary:
        'not an IPv4/IPv6 network: missing `/prefix`, prefix out of range, octets with leading zeros (`010` is octal to some tools), zone ids (`%eth0`), embedded dotted IPv4 in IPv6',
    },
    'cidr-not-canonical': {
      severity: 'error',
      summary:
        'host bits set (`10.1.2.3/8` -> write `10.0.0.0/8`), or IPv6 not in RFC 5952 form (`2001:DB8:0::/48` -> `2001:db8::/48`)',
    },
    'cidr-ipv4-mapped': {
      severity: 'error',
      summary:
        '`::ffff:a.b.c.d`-style networks never match (clients arrive as IPv4): the IPv4 form is suggested',
    },
  },
  check({ allowlist }, context, report) {
    const { parsed } = context.allowlistNetworks(allowlist);
    allowlist.entries.forEach((entry, index) => {
      const at = { part: 'allowlist', path: ['entries', index, 'cidr'] } as const;
      const result = parsed[index];
      if (!result?.ok) {
        report('cidr-invalid', at, `${entry.cidr} is not a valid CIDR: ${result?.reason}`, WRITE_A_CIDR);
        return;
      }
      const mapped = ipv4MappedEquivalent(result.cidr);
      if (mapped) {
        report(
          'cidr-ipv4-mapped',
          at,
          `${entry.cidr} is an IPv4-mapped IPv6 network; IPv4 clients arrive as IPv4 and never match it`,
          `write ${mapped}`,
        );
        return;
      }
      const canonical = canonicalCidr(result.cidr);
      if (canonical === entry.cidr) return;
      const hostBits = result.cidr.address !== result.cidr.network;
      report(
        'cidr-not-canonical',
        at,
        hostBits
          ? `${entry.cidr} has host bits set: the network it describes is ${canonical}`
          : `${entry.cidr} is not written in canonical form (lowercase, no leading zeros, longest zero run as ::)`,
        hostBits
          ? `write ${canonical}, or /${result.cidr.family === 4 ? 32 : 128} if only that one address was meant`
          : `write ${canonical}`,
      );
    });
  },
});
