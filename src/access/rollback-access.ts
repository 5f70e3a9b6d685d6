// What a rollback does to access. The allowlist and the services are baked into the image, so rolling back to an
// older image brings back every range and service it had: a removed partner, or an entry that has expired since.
// Pure: the target's configuration (from git, at the commit its image was built from) against what runs now.
import { type Cidr, containsCidr, parseCidr } from '../config/cidr.ts';
import type { Allowlist, AllowlistEntry, Services } from '../config/model.ts';
import { expiredOn } from './expiry.ts';

export interface AccessSide {
  allowlist: Allowlist;
  services: Services;
}

export interface AccessWidening {
  /** Target entries with addresses that what runs now does not admit (entries expired by `today` count as gone). */
  readmitted: AllowlistEntry[];
  /** Services the target serves and what runs now does not. */
  servicesAdded: string[];
  /** The target accepts any address (allowAnyAddress) and what runs now does not. */
  anyAddress: boolean;
}

function parsed(entries: readonly AllowlistEntry[]): Cidr[] {
  return entries.flatMap((entry) => {
    const result = parseCidr(entry.cidr);
    return result.ok ? [result.cidr] : [];
  });
}

const size = (cidr: Cidr) => cidr.last - cidr.network + 1n;

/** True when the union of `cover` contains every address of `cidr` (networks nest or are disjoint). */
function covered(cidr: Cidr, cover: readonly Cidr[]): boolean {
  if (cover.some((c) => containsCidr(c, cidr))) return true;
  const inside = cover.filter((c) => containsCidr(cidr, c));
  const maximal = inside.filter(
    (c) => !inside.some((o) => o !== c && containsCidr(o, c) && o.prefix < c.prefix),
  );
  const unique = [...new Map(maximal.map((c) => [`${c.family}/${c.network}/${c.prefix}`, c])).values()];
  return unique.reduce((sum, c) => sum + size(c), 0n) === size(cidr);
}

export function accessWidening(current: AccessSide, target: AccessSide, today: string): AccessWidening {
  const live = (entries: readonly AllowlistEntry[]) => entries.filter((entry) => !expiredOn(entry, today));
  const now = parsed(live(current.allowlist.entries));
  const currentServices = new Set(current.services.services.map((s) => s.name));
  return {
    readmitted: target.allowlist.entries.filter((entry) => {
      const result = parseCidr(entry.cidr);
      return result.ok && !covered(result.cidr, now);
    }),
    servicesAdded: target.services.services.map((s) => s.name).filter((name) => !currentServices.has(name)),
    anyAddress: target.allowlist.allowAnyAddress && !current.allowlist.allowAnyAddress,
  };
}

export function widens(widening: AccessWidening): boolean {
  return widening.readmitted.length > 0 || widening.servicesAdded.length > 0 || widening.anyAddress;
}

/** Markdown lines in the pull-request plan's words, for the rollback summary and its refusal. */
export function describeWidening(widening: AccessWidening): string[] {
  return [
    ...widening.readmitted.map(
      (e) =>
        `- ${e.cidr} (${e.description}) would be admitted again${e.expires ? `; it expired on ${e.expires}` : ''}`,
    ),
    ...widening.servicesAdded.map((name) => `- service ${name} would be served again`),
    ...(widening.anyAddress ? ['- any address would be admitted (allowAnyAddress)'] : []),
  ];
}

/** What the access comparison found. */
export type AccessComparison =
  | { compared: true; widening: AccessWidening }
  | { compared: false; why: string };

/** Why the access comparison stops the rollback, unless the operator allowed wider access. */
export function accessObjection(access: AccessComparison, allowWiderAccess: boolean): string | undefined {
  if (allowWiderAccess) return undefined;
  if (!access.compared) {
    return `what the target allows could not be compared with what runs now (${access.why}), so it might widen access`;
  }
  return widens(access.widening) ? 'the rollback would widen access' : undefined;
}
