// What a configuration change does, computed from two parsed configurations. Pure: the `diff` command and the
// validate action both call it, with the base from git and the head from the working tree.

import { type Reach, type ReachChange, reachBeforeAndAfter, reaches } from '../access/access-groups.ts';
import { type Cidr, canonicalCidr, compareCidrs, containsCidr, parseCidr } from '../config/cidr.ts';
import {
  type AllowlistEntry,
  type Config,
  type Environment,
  type Service,
  serviceNetworkIdOf,
} from '../config/model.ts';

/**
 * Additions broader than this (a shorter prefix) are called out: an IPv4 /15 is 131,072 addresses, an IPv6 /31 is
 * more than every allocation a single organisation normally gets.
 */
export const BROAD_PREFIX: Readonly<Record<4 | 6, number>> = { 4: 16, 6: 32 };

export type AllowlistChangeKind = 'added' | 'removed' | 'widened' | 'narrowed' | 'changed';

export interface AllowlistChange {
  kind: AllowlistChangeKind;
  /** The entry after the change (before it, for a removal). */
  cidr: string;
  /** widened / narrowed: the network it replaces. */
  previous?: string;
  description: string;
  expires?: string;
  /** An addition or widening broader than BROAD_PREFIX (or any-address). */
  broad: boolean;
  /** changed: what differs besides the network. */
  details: FieldChange[];
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface NamedChange {
  name: string;
  kind: 'added' | 'removed' | 'changed';
  /** For added/removed: the whole item as fields; for changed: the fields that differ. */
  fields: FieldChange[];
}

/** How what one allowlisted range may reach changes: "198.51.100.0/24 may now reach orders". */
export interface AccessChange {
  cidr: string;
  gained: string[];
  lost: string[];
}

/** A service network an environment starts or stops reaching, and how: the VPC association or an endpoint. */
export interface NetworkChange {
  environment: string;
  /** The network's sn-… ID (an ARN and the ID name the same network). */
  network: string;
  kind: 'added' | 'removed';
  via: NetworkPath;
}

export type NetworkPath = 'association' | 'proxy endpoint' | 'direct-client endpoint';

export interface ConfigPlan {
  allowlist: AllowlistChange[];
  /** Per range and service, for ranges whose reach changes (a new range, a new or removed `services`, nesting). */
  access: AccessChange[];
  allowAnyAddress?: FieldChange;
  services: NamedChange[];
  scaling: FieldChange[];
  environments: NamedChange[];
  networks: NetworkChange[];
}

export function hasChanges(plan: ConfigPlan): boolean {
  return (
    plan.allowlist.length > 0 ||
    plan.access.length > 0 ||
    plan.allowAnyAddress !== undefined ||
    plan.services.length > 0 ||
    plan.scaling.length > 0 ||
    plan.environments.length > 0 ||
    plan.networks.length > 0
  );
}

/**
 * base: the parts of the base version that parsed (any may be missing, e.g. in the first pull request). reach:
 * reachBeforeAndAfter of the base's and the head's entries, when the caller has it from compileChange.
 */
export function planChange(
  base: Partial<Config> | undefined,
  head: Config,
  reach?: readonly ReachChange[],
): ConfigPlan {
  const anyBefore = base?.allowlist?.allowAnyAddress ?? false;
  return {
    allowlist: allowlistChanges(base?.allowlist?.entries ?? [], head.allowlist.entries),
    access: accessChanges(base, head, reach),
    allowAnyAddress:
      anyBefore === head.allowlist.allowAnyAddress
        ? undefined
        : { field: 'allowAnyAddress', before: anyBefore, after: head.allowlist.allowAnyAddress },
    services: namedChanges(base?.services?.services ?? [], head.services.services, (s: Service) => s.name),
    scaling: fieldChanges(base?.scaling ?? {}, head.scaling),
    environments: namedChanges(
      base?.deployment?.environments ?? [],
      head.deployment.environments,
      (e: Environment) => e.name,
    ),
    networks: networkChanges(base?.deployment?.environments ?? [], head.deployment.environments),
  };
}

/** The networks each environment reaches, by path, before and after: what is gained and what is lost. */
export function networkChanges(base: readonly Environment[], head: readonly Environment[]): NetworkChange[] {
  const reached = (environments: readonly Environment[]) =>
    new Set(
      environments.flatMap((env) => {
        const paths: [NetworkPath, readonly string[]][] = [
          ['association', env.serviceNetworkId === undefined ? [] : [env.serviceNetworkId]],
          ['proxy endpoint', env.serviceNetworkEndpoints ?? []],
          ['direct-client endpoint', env.directClients?.serviceNetworks ?? []],
        ];
        return paths.flatMap(([via, networks]) =>
          networks.map((network) => JSON.stringify([env.name, serviceNetworkIdOf(network), via])),
        );
      }),
    );
  const before = reached(base);
  const after = reached(head);
  const change = (key: string, kind: NetworkChange['kind']): NetworkChange => {
    const [environment, network, via] = JSON.parse(key) as [string, string, NetworkPath];
    return { environment, network, kind, via };
  };
  return [
    ...[...after].filter((key) => !before.has(key)).map((key) => change(key, 'added')),
    ...[...before].filter((key) => !after.has(key)).map((key) => change(key, 'removed')),
  ];
}

interface Side {
  entry: AllowlistEntry;
  cidr: Cidr;
  side: 'base' | 'head';
  matched: boolean;
}

/**
 * Entries only in base are removals and entries only in head additions, except where one contains the other:
 * then the entry was widened or narrowed. Pairs are found with the same sort-and-sweep as the overlap check.
 */
export function allowlistChanges(
  base: readonly AllowlistEntry[],
  head: readonly AllowlistEntry[],
): AllowlistChange[] {
  const baseByCidr = byCidr(base);
  const headByCidr = byCidr(head);
  const changes = fieldChangesOfKeptEntries(baseByCidr, head);
  const sides = [
    ...base.filter((e) => !headByCidr.has(e.cidr)).flatMap((e) => side(e, 'base')),
    ...head.filter((e) => !baseByCidr.has(e.cidr)).flatMap((e) => side(e, 'head')),
  ].sort((a, b) => compareCidrs(a.cidr, b.cidr));
  changes.push(...widenedOrNarrowed(sides));
  for (const s of sides) {
    if (!s.matched) changes.push(describe(s.entry, s.side === 'head' ? 'added' : 'removed'));
  }
  return changes.sort((a, b) => order(a) - order(b) || compareText(a.cidr, b.cidr));
}

/** The last entry of each network, as written. A plain loop: allowlists of 100,000 entries. */
function byCidr(entries: readonly AllowlistEntry[]): Map<string, AllowlistEntry> {
  const map = new Map<string, AllowlistEntry>();
  for (const entry of entries) map.set(entry.cidr, entry);
  return map;
}

/** An entry's fields besides its range, as the plan compares them. */
const ENTRY_FIELDS = ['description', 'expires', 'services', 'connectionsPerClient'] as const;

const entryFields = (entry: AllowlistEntry) =>
  Object.fromEntries(ENTRY_FIELDS.map((field) => [field, entry[field]]));

/** The same fields, as fieldChanges compares them: a quick look first, as most entries of a change are kept as they were. */
function sameEntry(a: AllowlistEntry, b: AllowlistEntry): boolean {
  return ENTRY_FIELDS.every((field) => sameValue(a[field], b[field]));
}

/** Equal, or lists with equal items in the same order (services). */
function sameValue(before: unknown, after: unknown): boolean {
  if (!Array.isArray(before) || !Array.isArray(after)) return before === after;
  return before.length === after.length && before.every((item, i) => item === after[i]);
}

/** Entries whose range is on both sides: what else about them changed. */
function fieldChangesOfKeptEntries(
  baseByCidr: ReadonlyMap<string, AllowlistEntry>,
  head: readonly AllowlistEntry[],
): AllowlistChange[] {
  const changes: AllowlistChange[] = [];
  for (const entry of head) {
    const before = baseByCidr.get(entry.cidr);
    if (!before || sameEntry(before, entry)) continue;
    const details = fieldChanges(entryFields(before), entryFields(entry));
    if (details.length > 0) changes.push({ ...describe(entry, 'changed'), details });
  }
  return changes;
}

/** Pairs a range of one side with the nearest unmatched range of the other side that contains it (sides sorted). */
function widenedOrNarrowed(sides: readonly Side[]): AllowlistChange[] {
  const changes: AllowlistChange[] = [];
  const enclosing: Side[] = [];
  for (const current of sides) {
    while (enclosing.length > 0 && !containsCidr((enclosing.at(-1) as Side).cidr, current.cidr))
      enclosing.pop();
    const partner = enclosing.findLast((outer) => outer.side !== current.side && !outer.matched);
    if (partner) {
      partner.matched = true;
      current.matched = true;
      // The broader one came first in the sort: a broader head entry widened, a broader base entry narrowed.
      const [after, before] = partner.side === 'head' ? [partner, current] : [current, partner];
      changes.push({
        ...describe(after.entry, partner.side === 'head' ? 'widened' : 'narrowed'),
        previous: before.entry.cidr,
      });
    }
    enclosing.push(current);
  }
  return changes;
}

/**
 * For every range of either side, the services of head it may reach before and after (a range reaches what the
 * entries containing it grant). Services that exist only in base are the services section's news, not access.
 */
export function accessChanges(
  base: Partial<Config> | undefined,
  head: Config,
  reach: readonly ReachChange[] = reachBeforeAndAfter(base?.allowlist?.entries ?? [], head.allowlist.entries),
): AccessChange[] {
  const services = head.services.services.map((service) => service.name);
  const baseServices = new Set(base?.services?.services.map((service) => service.name) ?? services);
  const newServices = services.some((service) => !baseServices.has(service));
  const changes = reach.flatMap(({ cidr, before: was, after: is }) => {
    // Most networks of a large allowlist reach the same before and after: nothing to look at per service.
    if (!newServices && sameReach(was, is)) return [];
    const gained = services.filter(
      (service) => reaches(is, service) && !reaches(was, service) && baseServices.has(service),
    );
    const lost = services.filter((service) => reaches(was, service) && !reaches(is, service));
    // A brand-new service is reported in the services section, with who may reach it.
    const newService = services.filter((service) => !baseServices.has(service) && reaches(is, service));
    return gained.length + lost.length + newService.length > 0
      ? [{ cidr, gained: [...gained, ...newService], lost }]
      : [];
  });
  return changes.sort((a, b) => compareText(a.cidr, b.cidr));
}

function sameReach(a: Reach, b: Reach): boolean {
  if (a === 'every' || b === 'every') return a === b;
  return a.size === b.size && [...a].every((service) => b.has(service));
}

function side(entry: AllowlistEntry, which: 'base' | 'head'): Side[] {
  const parsed = parseCidr(entry.cidr);
  return parsed.ok ? [{ entry, cidr: parsed.cidr, side: which, matched: false }] : [];
}

function describe(entry: AllowlistEntry, kind: AllowlistChangeKind): AllowlistChange {
  const parsed = parseCidr(entry.cidr);
  const grows = kind === 'added' || kind === 'widened';
  const broad = grows && parsed.ok && parsed.cidr.prefix < BROAD_PREFIX[parsed.cidr.family];
  return {
    kind,
    cidr: parsed.ok ? canonicalCidr(parsed.cidr) : entry.cidr,
    description: entry.description,
    expires: entry.expires,
    broad,
    details: [],
  };
}

const KIND_ORDER: Record<AllowlistChangeKind, number> = {
  added: 0,
  widened: 1,
  narrowed: 2,
  removed: 3,
  changed: 4,
};

function order(change: AllowlistChange): number {
  // Broad additions first: they are what a reviewer must look at.
  return (change.broad ? -10 : 0) + KIND_ORDER[change.kind];
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function namedChanges<T extends object>(
  base: readonly T[],
  head: readonly T[],
  nameOf: (item: T) => string,
): NamedChange[] {
  const before = new Map(base.map((item) => [nameOf(item), item]));
  const after = new Map(head.map((item) => [nameOf(item), item]));
  const changes: NamedChange[] = [];
  for (const [name, item] of after) {
    const old = before.get(name);
    if (!old) changes.push({ name, kind: 'added', fields: fieldChanges({}, item) });
    else {
      const fields = fieldChanges(old, item);
      if (fields.length > 0) changes.push({ name, kind: 'changed', fields });
    }
  }
  for (const [name, item] of before) {
    if (!after.has(name)) changes.push({ name, kind: 'removed', fields: fieldChanges(item, {}) });
  }
  return changes;
}

/** Top-level fields whose values differ (compared as JSON, so lists and nested objects compare by content). */
export function fieldChanges(before: object, after: object): FieldChange[] {
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  const fields = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return fields
    .filter((field) => b[field] !== a[field] && JSON.stringify(b[field]) !== JSON.stringify(a[field]))
    .map((field) => ({ field, before: b[field], after: a[field] }));
}
