// Which client addresses the load balancers' security groups admit: a decision made at synth time from the allowlist.
import type { Allowlist } from '../../src/config/model.ts';

/**
 * Largest allowlist (per address family) mirrored into a managed prefix list. A rule that references a prefix list
 * counts as its maxEntries rules against the 60-inbound-rules-per-group quota; two listener ports x 25 = 50 leaves
 * room for the rest. Past it the group admits any address and NGINX's allowlist is the only filter.
 */
export const PREFIX_LIST_MAX_ENTRIES = 25;

export type FamilySources =
  /** Mirror these CIDRs into a managed prefix list (maxEntries PREFIX_LIST_MAX_ENTRIES). */
  | { kind: 'prefix-list'; entries: { cidr: string; description: string }[] }
  /** Admit the whole address family; the proxy's allowlist does the filtering. */
  | { kind: 'anywhere'; reason: string }
  /** No allowlist entry in this family: admit nothing. */
  | { kind: 'none' };

export interface ClientSources {
  ipv4: FamilySources;
  /** Only for dual-stack load balancers. */
  ipv6?: FamilySources;
}

export function clientSources(allowlist: Allowlist, dualStack: boolean): ClientSources {
  const ipv4 = allowlist.entries.filter((entry) => !entry.cidr.includes(':'));
  const ipv6 = allowlist.entries.filter((entry) => entry.cidr.includes(':'));
  return {
    ipv4: familySources(ipv4, '0.0.0.0/0'),
    ...(dualStack ? { ipv6: familySources(ipv6, '::/0') } : {}),
  };
}

function familySources(entries: Allowlist['entries'], any: string): FamilySources {
  if (entries.length === 0) return { kind: 'none' };
  if (entries.some((entry) => entry.cidr === any)) {
    return { kind: 'anywhere', reason: `the allowlist admits ${any} (allowAnyAddress)` };
  }
  if (entries.length > PREFIX_LIST_MAX_ENTRIES) {
    return {
      kind: 'anywhere',
      reason: `${entries.length} allowlist entries exceed the ${PREFIX_LIST_MAX_ENTRIES}-entry prefix list; NGINX enforces the allowlist`,
    };
  }
  return {
    kind: 'prefix-list',
    entries: entries.map(({ cidr, description }) => ({ cidr, description })),
  };
}
