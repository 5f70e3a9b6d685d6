// An entry (or a set of entries) covering a whole address family turns the fleet into an open proxy; that must be
// said explicitly with allowAnyAddress, and allowAnyAddress without such an entry is a trap for later.
import { canonicalCidr, type IpFamily } from '../../cidr.ts';
import type { AllowlistNetwork } from '../context.ts';
import { defineRule } from '../rule.ts';

export const anyAddress = defineRule({
  name: 'any-address',
  group: 'allowlist',
  reads: ['allowlist'],
  codes: {
    'cidr-any-address': {
      severity: 'error',
      summary:
        '`0.0.0.0/0` or `::/0`, or entries that together cover a whole family (`0.0.0.0/1` + `128.0.0.0/1`), without `allowAnyAddress: true`',
    },
    'allow-any-address-unused': {
      severity: 'warning',
      summary: '`allowAnyAddress: true` with no such entry',
    },
  },
  check({ allowlist }, context, report) {
    const { valid, sorted } = context.allowlistNetworks(allowlist);
    const everything = valid.filter((entry) => entry.cidr.prefix === 0);
    if (allowlist.allowAnyAddress) {
      if (everything.length === 0) {
        report(
          'allow-any-address-unused',
          { part: 'allowlist', path: [], key: 'allowAnyAddress' },
          'allowAnyAddress is true but no entry is 0.0.0.0/0 or ::/0',
          'set allowAnyAddress: false so that an open entry cannot be added by accident later',
        );
      }
      return;
    }
    const hint =
      'list the client networks instead; if an open proxy really is intended, set allowAnyAddress: true';
    for (const { index, cidr } of everything) {
      report(
        'cidr-any-address',
        { part: 'allowlist', path: ['entries', index, 'cidr'] },
        `${canonicalCidr(cidr)} allows every ${familyName(cidr.family)} address: the fleet would be an open proxy`,
        hint,
      );
    }
    // 0.0.0.0/1 plus 128.0.0.0/1 is 0.0.0.0/0 too.
    for (const family of [4, 6] as const) {
      const entries = sorted.filter((entry) => entry.cidr.family === family);
      const first = entries[0];
      if (!first || everything.some((e) => e.cidr.family === family) || !coversFamily(entries)) continue;
      report(
        'cidr-any-address',
        { part: 'allowlist', path: ['entries', first.index, 'cidr'] },
        `together, the ${entries.length} ${familyName(family)} entries cover every ${familyName(family)} address: the fleet would be an open proxy`,
        hint,
      );
    }
  },
});

function familyName(family: IpFamily): string {
  return family === 4 ? 'IPv4' : 'IPv6';
}

/** Whether networks sorted by address leave no gap from the first address of the family to the last. */
function coversFamily(sorted: readonly AllowlistNetwork[]): boolean {
  let reach = 0n;
  for (const { cidr } of sorted) {
    if (cidr.network > reach) return false;
    if (cidr.last + 1n > reach) reach = cidr.last + 1n;
  }
  return reach === 1n << BigInt(sorted[0]?.cidr.family === 4 ? 32 : 128);
}
