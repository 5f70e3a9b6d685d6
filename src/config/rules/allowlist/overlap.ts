// Duplicates and entries inside a broader entry, in O(n log n): sorted by family, network, then broader first, the
// entries containing the current one are exactly a stack of the previous ones. An address inside several entries
// may reach every service any of them grants, with the highest connection limit among them, so a narrower entry
// has no effect only when the broader ones grant all it grants, by address, services and limit alike.
import { canonicalCidr, containsCidr } from '../../cidr.ts';
import { type Allowlist, type AllowlistEntry, DEFAULT_CONNECTIONS_PER_CLIENT } from '../../model.ts';
import type { AllowlistNetwork } from '../context.ts';
import { defineRule } from '../rule.ts';

/** What a narrower entry can give its addresses beyond the broader entries around it, as the message says it. */
const ADDITIONS = {
  services: (names: readonly string[]) => `the services ${names.join(', ')}`,
  everyService: () => 'every service',
  limit: (limit: number) => `connectionsPerClient ${limit}`,
} as const;

export const overlap = defineRule({
  name: 'overlap',
  group: 'allowlist',
  reads: ['allowlist'],
  codes: {
    'cidr-duplicate': { severity: 'error', summary: 'the same network twice (names the line of the first)' },
    'cidr-covered': {
      severity: 'warning',
      summary:
        'inside broader entries that grant every service it does with at least its connection limit, so it has no effect; not reported when the broader entry expires first',
    },
    'cidr-nested': {
      severity: 'warning',
      summary:
        'inside a broader entry, and adds services or a higher connection limit to it: says what it adds (keep it if that is intended)',
    },
  },
  check({ allowlist }, { allowlistNetworks, lineOf }, report) {
    const enclosing: AllowlistNetwork[] = [];
    const entryOf = (network: AllowlistNetwork) => allowlist.entries[network.index] as AllowlistEntry;
    const lastDay = (network: AllowlistNetwork) => entryOf(network).expires ?? '9999-12-31';
    const lineOfEntry = (network: AllowlistNetwork) => lineOf('allowlist', ['entries', network.index]);
    const named = (networks: readonly AllowlistNetwork[]) =>
      networks.map((n) => `${canonicalCidr(n.cidr)} (line ${lineOfEntry(n)})`).join(' and ');
    for (const network of allowlistNetworks(allowlist).sorted) {
      while (enclosing.length > 0 && !containsCidr((enclosing.at(-1) as AllowlistNetwork).cidr, network.cidr))
        enclosing.pop();
      const at = { part: 'allowlist', path: ['entries', network.index, 'cidr'] } as const;
      const parent = enclosing.at(-1);
      if (parent && parent.cidr.prefix === network.cidr.prefix) {
        report(
          'cidr-duplicate',
          at,
          `${canonicalCidr(network.cidr)} is already listed on line ${lineOfEntry(parent)}`,
          'remove one of the two entries (merge their descriptions if both matter)',
        );
        continue;
      }
      // Only broader entries that last at least as long count; otherwise the narrower one still has a purpose. An
      // entry for every address without allowAnyAddress is the any-address rule's error, and counts for nothing.
      const covers = enclosing.filter(
        (broader) =>
          lastDay(broader) >= lastDay(network) && (allowlist.allowAnyAddress || broader.cidr.prefix > 0),
      );
      if (covers.length > 0) {
        const judged = coverage(allowlist, entryOf(network), covers.map(entryOf));
        const where = `${canonicalCidr(network.cidr)} is inside ${named(covers)}`;
        report(judged.code, at, `${where}${judged.message}`, judged.fix);
      }
      enclosing.push(network);
    }
  },
});

/** A narrower entry inside `broader`: no effect (covered), or nested with what it adds. */
function coverage(allowlist: Allowlist, narrower: AllowlistEntry, broader: readonly AllowlistEntry[]) {
  const added = additions(allowlist, narrower, broader);
  if (added.length === 0) {
    return {
      code: 'cidr-covered',
      message: `, which ${broader.length > 1 ? 'together grant' : 'grants'} every service it does with at least its connection limit, so it has no effect`,
      fix: 'remove the narrower entry, or narrow the broader one (a narrower entry cannot restrict: an address inside several entries gets every service and the highest limit any of them grants)',
    } as const;
  }
  return {
    code: 'cidr-nested',
    message: ` and adds ${added.join(' and ')} for its addresses`,
    fix: 'keep it if that is intended; removing it would take that away from these addresses',
  } as const;
}

/** What `narrower` grants that none of `broader` does, phrased by ADDITIONS; empty when it adds nothing. */
function additions(
  allowlist: Allowlist,
  narrower: AllowlistEntry,
  broader: readonly AllowlistEntry[],
): string[] {
  const limitOf = (entry: AllowlistEntry) =>
    entry.connectionsPerClient ?? allowlist.connectionsPerClient ?? DEFAULT_CONNECTIONS_PER_CLIENT;
  const added: string[] = [];
  if (!broader.some((entry) => entry.services === undefined)) {
    const granted = new Set(broader.flatMap((entry) => entry.services ?? []));
    if (narrower.services === undefined) added.push(ADDITIONS.everyService());
    else {
      const extra = narrower.services.filter((service) => !granted.has(service));
      if (extra.length > 0) added.push(ADDITIONS.services(extra));
    }
  }
  const limit = limitOf(narrower);
  if (limit > Math.max(...broader.map(limitOf))) added.push(ADDITIONS.limit(limit));
  return added;
}
