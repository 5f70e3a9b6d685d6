// Loopback, link-local, multicast and reserved networks are never a client's source address: such an entry is a typo.
import { canonicalCidr, specialPurposeRange } from '../../cidr.ts';
import { defineRule } from '../rule.ts';

export const neverAClient = defineRule({
  name: 'never-a-client',
  group: 'allowlist',
  reads: ['allowlist'],
  codes: {
    'cidr-never-a-client': {
      severity: 'warning',
      summary: 'inside loopback, link-local, multicast, reserved, `0.0.0.0/8`, `::`/`::1`',
    },
  },
  check({ allowlist }, context, report) {
    for (const { index, cidr } of context.allowlistNetworks(allowlist).valid) {
      const range = specialPurposeRange(cidr);
      if (!range) continue;
      report(
        'cidr-never-a-client',
        { part: 'allowlist', path: ['entries', index, 'cidr'] },
        `${canonicalCidr(cidr)} is inside ${range.text} (${range.what}); no client connects from there`,
        'check the address; remove the entry if it is a mistake',
      );
    }
  },
});
