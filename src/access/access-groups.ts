// Who may reach what, compiled for NGINX. Every allowlist entry lands in an access group: the services its clients
// may reach and how many connections one client may hold. `geo` maps a client address to its group (the most
// specific entry containing the address wins, as a radix tree lookup does), so a group must already carry what
// every broader entry containing it grants: services are the union along the chain of containing entries, and the
// connection limit is the highest one set along it.
import { type Cidr, containsCidr, parseCidr } from '../config/cidr.ts';

export interface AccessEntry {
  cidr: string;
  /** Services this entry's clients may reach; absent: every service. */
  services?: readonly string[];
  /** Overrides the allowlist's default connection limit for this entry's clients. */
  connectionsPerClient?: number;
}

export interface AccessGroup {
  /** Written into the rendered configuration: g0, g1, ... */
  id: string;
  /** undefined: every service. */
  services?: readonly string[];
  connectionsPerClient: number;
}

export interface CompiledAccess {
  /** Each entry's network with its group, in the order given. */
  entries: { cidr: string; group: string }[];
  groups: AccessGroup[];
  /** The distinct connection limits, ascending: one NGINX limit zone each. */
  limits: number[];
}

interface Effective {
  services?: ReadonlySet<string>;
  limit: number;
}

function parse(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`cannot compile access for ${text}: ${parsed.reason}`);
  return parsed.cidr;
}

/**
 * The entries of one configuration may be compiled by the plan and again by the rendering (unless both come from
 * compileAccessChange), and parsing a network is the dearest step: each entry's network is parsed once.
 */
const parsedEntries = new WeakMap<AccessEntry, { text: string; cidr: Cidr }>();

function networkOf(entry: AccessEntry): Cidr {
  const known = parsedEntries.get(entry);
  if (known?.text === entry.cidr) return known.cidr;
  const cidr = parse(entry.cidr);
  parsedEntries.set(entry, { text: entry.cidr, cidr });
  return cidr;
}

/**
 * compareCidrs' order as numbers, which sort several times faster than the bigints they come from: the family,
 * then the network in parts of at most 48 bits, then the prefix.
 */
function sortKey(cidr: Cidr): number[] {
  const n = cidr.network;
  return cidr.family === 4
    ? [4, Number(n), cidr.prefix]
    : [6, Number(n >> 80n), Number((n >> 32n) & 0xffff_ffff_ffffn), Number(n & 0xffff_ffffn), cidr.prefix];
}

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** What the innermost entry of a chain grants, given what its parent chain grants. */
function inherit(parent: Effective | undefined, entry: AccessEntry, defaultLimit: number): Effective {
  const limit = entry.connectionsPerClient ?? defaultLimit;
  const own = entry.services ? new Set(entry.services) : undefined;
  if (!parent) return own ? { services: own, limit } : { limit };
  const services = parent.services && own ? new Set([...parent.services, ...own]) : undefined;
  const highest = Math.max(parent.limit, limit);
  return services ? { services, limit: highest } : { limit: highest };
}

/**
 * For every network that an entry of any side names, what the entries of each side containing it (an equal entry
 * included) grant together; undefined where no entry of that side contains it. Sides are compiled together, so
 * each network is parsed once and sorted once: networks either nest or are disjoint, so with broader networks
 * sorted before the networks inside them, a stack per side holds the chain of entries containing the current one.
 */
function grantsBySide(
  sides: readonly (readonly AccessEntry[])[],
  defaultLimits: readonly number[],
): Map<string, { grants: (Effective | undefined)[] }> {
  interface Network {
    cidr: Cidr;
    key: number[];
    /** Per side, the entries naming this network. */
    entries: AccessEntry[][];
    /** Per side, what the entries containing this network grant. */
    grants: (Effective | undefined)[];
  }
  const networks = new Map<string, Network>();
  sides.forEach((entries, side) => {
    for (const entry of entries) {
      let network = networks.get(entry.cidr);
      if (!network) {
        const cidr = networkOf(entry);
        network = { cidr, key: sortKey(cidr), entries: sides.map(() => []), grants: [] };
        networks.set(entry.cidr, network);
      }
      (network.entries[side] as AccessEntry[]).push(entry);
    }
  });
  const sorted = [...networks.values()].sort((a, b) => compareKeys(a.key, b.key));
  const chains = sides.map(() => [] as { cidr: Cidr; effective: Effective }[]);
  // Plain loops: this runs once per network of 100,000-entry allowlists, where array helpers and their garbage
  // cost more than the work.
  for (let first = 0; first < sorted.length; ) {
    // The same network may be written more than one way in a base that only has to parse (10.0.0.1/8).
    const { cidr, key } = sorted[first] as Network;
    let end = first + 1;
    while (end < sorted.length && compareKeys((sorted[end] as Network).key, key) === 0) end++;
    const grants: (Effective | undefined)[] = [];
    chains.forEach((chain, side) => {
      while (chain.length > 0 && !containsCidr((chain.at(-1) as { cidr: Cidr }).cidr, cidr)) chain.pop();
      let effective = chain.at(-1)?.effective;
      let named = false;
      for (let i = first; i < end; i++) {
        for (const entry of (sorted[i] as Network).entries[side] as AccessEntry[]) {
          effective = inherit(effective, entry, defaultLimits[side] as number);
          named = true;
        }
      }
      if (named) chain.push({ cidr, effective: effective as Effective });
      grants.push(effective);
    });
    for (let i = first; i < end; i++) (sorted[i] as Network).grants = grants;
    first = end;
  }
  return networks;
}

export function compileAccess(entries: readonly AccessEntry[], defaultLimit: number): CompiledAccess {
  return compileAccessOfEach([{ entries, defaultLimit }])[0] as CompiledAccess;
}

export interface AccessSide {
  entries: readonly AccessEntry[];
  defaultLimit: number;
}

/**
 * compileAccess of several allowlists at once, each as compileAccess compiles it alone: a network they share (most
 * of a change's base and head) is parsed, sorted and swept once.
 */
export function compileAccessOfEach(sides: readonly AccessSide[]): CompiledAccess[] {
  const networks = grantsBySide(
    sides.map((side) => side.entries),
    sides.map((side) => side.defaultLimit),
  );
  return sides.map((side, index) => accessGroupsOf(side.entries, networks, index));
}

function accessGroupsOf(
  entries: readonly AccessEntry[],
  networks: ReadonlyMap<string, { grants: (Effective | undefined)[] }>,
  side: number,
): CompiledAccess {
  const groups = new Map<string, AccessGroup>();
  const groupFor = (services: string[] | undefined, limit: number): string => {
    const key = `${services?.join(',') ?? '*'}|${limit}`;
    let group = groups.get(key);
    if (!group) {
      group = { id: `g${groups.size}`, ...(services ? { services } : {}), connectionsPerClient: limit };
      groups.set(key, group);
    }
    return group.id;
  };
  // Most entries grant every service: their group is found by the limit alone, without writing a key for each.
  const everyService = new Map<number, string>();
  const groupOf = (value: Effective): string => {
    if (value.services) return groupFor([...value.services].sort(), value.limit);
    let id = everyService.get(value.limit);
    if (id === undefined) {
      id = groupFor(undefined, value.limit);
      everyService.set(value.limit, id);
    }
    return id;
  };
  return {
    entries: entries.map((entry) => ({
      cidr: entry.cidr,
      group: groupOf(networks.get(entry.cidr)?.grants[side] as Effective),
    })),
    groups: [...groups.values()],
    limits: [...new Set([...groups.values()].map((g) => g.connectionsPerClient))].sort((a, b) => a - b),
  };
}

/** Services a range may reach: every service, or those in the set (none when it is empty). */
export type Reach = 'every' | ReadonlySet<string>;

/** What one network may reach before and after a change of the allowlist. */
export interface ReachChange {
  cidr: string;
  before: Reach;
  after: Reach;
}

/**
 * For every network named on either side, what a client in it may reach with the entries before and after: what
 * the entries containing it grant. The same judgement as mayReach for every service, in n·log n.
 */
export function reachBeforeAndAfter(
  before: readonly AccessEntry[],
  after: readonly AccessEntry[],
): ReachChange[] {
  // What a network may reach does not depend on the connection limits.
  return reachOf(grantsBySide([before, after], [0, 0]));
}

/**
 * compileAccessOfEach of a change's base and head, and reachBeforeAndAfter between them, from one sweep: a pull
 * request's plan needs both.
 */
export function compileAccessChange(
  before: AccessSide,
  after: AccessSide,
): { compiled: [CompiledAccess, CompiledAccess]; reach: ReachChange[] } {
  const networks = grantsBySide([before.entries, after.entries], [before.defaultLimit, after.defaultLimit]);
  return {
    compiled: [accessGroupsOf(before.entries, networks, 0), accessGroupsOf(after.entries, networks, 1)],
    reach: reachOf(networks),
  };
}

function reachOf(networks: ReadonlyMap<string, { grants: (Effective | undefined)[] }>): ReachChange[] {
  const reach = (grants: Effective | undefined): Reach =>
    grants === undefined ? new Set<string>() : (grants.services ?? 'every');
  return [...networks].map(
    ([
      cidr,
      {
        grants: [was, is],
      },
    ]) => ({
      cidr,
      before: reach(was),
      after: reach(is),
    }),
  );
}

export function reaches(reach: Reach, service: string): boolean {
  return reach === 'every' || reach.has(service);
}

/**
 * The reference judgement the rendered maps must agree with: may a client at `address` (a /32 or /128) reach
 * `service`? Straight from the entries, without groups.
 */
export function mayReach(entries: readonly AccessEntry[], address: string, service: string): boolean {
  const client = parse(address);
  const containing = entries.filter((entry) => containsCidr(parse(entry.cidr), client));
  return (
    containing.length > 0 &&
    (containing.some((entry) => entry.services === undefined) ||
      containing.some((entry) => entry.services?.includes(service)))
  );
}
