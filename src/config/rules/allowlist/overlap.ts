// Duplicates and entries inside a broader entry, in O(n log n): sorted by family, network, then broader first, the
// entries containing the current one are exactly a stack of the previous ones.
import { canonicalCidr, containsCidr } from '../../cidr.ts';
import type { AllowlistNetwork } from '../context.ts';
import { defineRule } from '../rule.ts';

export const overlap = defineRule({
  name: 'overlap',
  group: 'allowlist',
  reads: ['allowlist'],
  codes: {
    'cidr-duplicate': { severity: 'error', summary: 'the same network twice (names the line of the first)' },
    'cidr-covered': {
      severity: 'warning',
      summary:
        'inside a broader entry, so it has no effect; not reported when the broader entry expires first',
    },
  },
  check({ allowlist }, { allowlistNetworks, lineOf }, report) {
    const enclosing: AllowlistNetwork[] = [];
    const lastDay = (entry: AllowlistNetwork) => allowlist.entries[entry.index]?.expires ?? '9999-12-31';
    const lineOfEntry = (entry: AllowlistNetwork) => lineOf('allowlist', ['entries', entry.index]);
    for (const entry of allowlistNetworks(allowlist).sorted) {
      while (enclosing.length > 0 && !containsCidr((enclosing.at(-1) as AllowlistNetwork).cidr, entry.cidr))
        enclosing.pop();
      const at = { part: 'allowlist', path: ['entries', entry.index, 'cidr'] } as const;
      const parent = enclosing.at(-1);
      if (parent && parent.cidr.prefix === entry.cidr.prefix) {
        report(
          'cidr-duplicate',
          at,
          `${canonicalCidr(entry.cidr)} is already listed on line ${lineOfEntry(parent)}`,
          'remove one of the two entries (merge their descriptions if both matter)',
        );
        continue;
      }
      // Redundant only if a broader entry lasts at least as long; otherwise the narrower one still has a purpose.
      const cover = enclosing.find((broader) => lastDay(broader) >= lastDay(entry));
      if (cover) {
        report(
          'cidr-covered',
          at,
          `${canonicalCidr(entry.cidr)} is inside ${canonicalCidr(cover.cidr)} (line ${lineOfEntry(cover)}), so it has no effect`,
          'remove the narrower entry, or narrow the broader one',
        );
      }
      enclosing.push(entry);
    }
  },
});
