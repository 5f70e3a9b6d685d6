// Break-glass revocation: a client range denied by the network ACL of the load balancers' subnets, within seconds
// and whatever image runs. A NACL deny, unlike removing a security-group rule, also ends connections the security
// group is already tracking: NACLs are stateless, so every packet of the range is dropped, both ways.
//
// Pure: which rule numbers to use, what to refuse, which denies a deployment may lift, and how the allowlist must
// change so that the next deployment stops admitting the range for good.
import { type Cidr, canonicalCidr, containsCidr, makeCidr, overlaps, parseCidr } from '../config/cidr.ts';
import type { AllowlistEntry } from '../config/model.ts';

/**
 * Rule numbers reserved for revocations, in each direction. A NACL holds 20 rules per direction by default (Amazon
 * VPC quotas, "Rules per network ACL"); the stack's allow-all rules take one per address family, so 18 are left.
 */
export const REVOCATION_RULES = { first: 100, count: 18 } as const;
/** The allow-all rules behind the reserved range (lower numbers are evaluated first). */
export const ALLOW_ALL_RULE = { ipv4: 1000, ipv6: 1001 } as const;
/** The widest range one revocation may deny: wider is almost certainly a typo, and cuts off far more than one client. */
export const WIDEST_REVOCATION = { 4: 8, 6: 32 } as const;

/** A deny entry as it stands in the NACL (one per direction; both carry the same rule number and range). */
export interface DenyRule {
  ruleNumber: number;
  cidr: string;
}

export interface RevocationRequest {
  cidr: string;
  vpcCidr: string;
  existing: readonly DenyRule[];
}

export type RevocationPlan =
  | { kind: 'create'; ruleNumber: number; cidr: string }
  | { kind: 'already-denied'; rule: DenyRule }
  | { kind: 'refused'; reason: string; fix: string };

function parse(text: string, what: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`${what} "${text}": ${parsed.reason}`);
  return parsed.cidr;
}

/** Decides what one `revoke` does; a refusal changes nothing and says how to proceed. */
export function planRevocation({ cidr, vpcCidr, existing }: RevocationRequest): RevocationPlan {
  const parsed = parseCidr(cidr);
  if (!parsed.ok) {
    return {
      kind: 'refused',
      reason: `"${cidr}" is not a CIDR: ${parsed.reason}`,
      fix: 'write it like 198.51.100.0/24',
    };
  }
  const range = parsed.cidr;
  const canonical = canonicalCidr(range);
  if (canonical !== cidr) {
    return {
      kind: 'refused',
      reason: `${cidr} has host bits set; the network it names is ${canonical}`,
      fix: `revoke ${canonical} (or the single address as /${range.family === 4 ? 32 : 128})`,
    };
  }
  const widest = WIDEST_REVOCATION[range.family];
  if (range.prefix < widest) {
    return {
      kind: 'refused',
      reason: `${cidr} is wider than /${widest}: one revocation is for one client's range`,
      fix: 'revoke the client range itself; to stop all traffic, scale the service to zero',
    };
  }
  if (overlaps(range, parse(vpcCidr, 'vpcCidr'))) {
    return {
      kind: 'refused',
      reason: `${cidr} overlaps the VPC's own range ${vpcCidr}: the load balancers and tasks would lose each other`,
      fix: 'revoke the client range outside the VPC',
    };
  }
  const covering = existing.find((rule) => containsCidr(parse(rule.cidr, 'NACL entry'), range));
  if (covering) return { kind: 'already-denied', rule: covering };
  const used = new Set(existing.map((rule) => rule.ruleNumber));
  for (let n = REVOCATION_RULES.first; n < REVOCATION_RULES.first + REVOCATION_RULES.count; n++) {
    if (!used.has(n)) return { kind: 'create', ruleNumber: n, cidr };
  }
  return {
    kind: 'refused',
    reason: `all ${REVOCATION_RULES.count} revocation rules are in use`,
    fix: 'merge the pull requests that remove revoked ranges from allowlist.yaml: each deployment lifts the denies it no longer needs',
  };
}

/** True when an entry of the allowlist admits some address of `range`. */
function admitsAny(allowlist: readonly AllowlistEntry[], range: Cidr): boolean {
  return allowlist.some((entry) => {
    const parsed = parseCidr(entry.cidr);
    return parsed.ok && overlaps(parsed.cidr, range);
  });
}

/**
 * The denies a deployment of `allowlist` may lift: those whose range the new allowlist no longer admits at all, so
 * the proxy itself now refuses it. A range still (partly) admitted keeps its deny, whatever image runs.
 */
export function liftableDenies(
  existing: readonly DenyRule[],
  allowlist: readonly AllowlistEntry[],
): DenyRule[] {
  return existing.filter((rule) => !admitsAny(allowlist, parse(rule.cidr, 'NACL entry')));
}

/** `outer` without `inner` (inner inside outer): the smallest set of networks covering exactly the rest. */
export function subtract(outer: Cidr, inner: Cidr): Cidr[] {
  const rest: Cidr[] = [];
  let current = outer;
  while (current.prefix < inner.prefix) {
    const prefix = current.prefix + 1;
    const low = makeCidr(current.family, current.network, prefix);
    const high = makeCidr(current.family, low.last + 1n, prefix);
    const [keep, descend] = containsCidr(low, inner) ? [high, low] : [low, high];
    rest.push(keep);
    current = descend;
  }
  return rest.sort((a, b) => (a.network < b.network ? -1 : 1));
}

export interface AllowlistChange {
  /** Entry index -> the networks that replace it (none: the entry goes). */
  replace: Map<number, AllowlistEntry[]>;
}

/**
 * How allowlist.yaml must change so the range is refused without the NACL: entries inside the range go; an entry
 * that contains the range is narrowed to what is left of it, each part keeping the description and expiry.
 */
export function allowlistWithoutRange(
  allowlist: readonly AllowlistEntry[],
  cidr: string,
  day: string,
): AllowlistChange {
  const range = parse(cidr, 'revoked range');
  const replace = new Map<number, AllowlistEntry[]>();
  allowlist.forEach((entry, index) => {
    const parsed = parseCidr(entry.cidr);
    if (!parsed.ok || !overlaps(parsed.cidr, range)) return;
    if (containsCidr(range, parsed.cidr)) {
      replace.set(index, []);
      return;
    }
    replace.set(
      index,
      subtract(parsed.cidr, range).map((part) => ({
        ...entry,
        cidr: canonicalCidr(part),
        description: `${entry.description} (narrowed: ${cidr} revoked ${day})`.slice(0, 200),
      })),
    );
  });
  return { replace };
}
