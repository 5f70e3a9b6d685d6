// Who may reach what, compiled for NGINX. Every allowlist entry lands in an access group: the services its clients
// may reach and how many connections one client may hold. `geo` maps a client address to its group (the most
// specific entry containing the address wins, as a radix tree lookup does), so a group must already carry what
// every broader entry containing it grants: services are the union along the chain of containing entries, and the
// connection limit is the highest one set along it.
import { type Cidr, compareCidrs, containsCidr, parseCidr } from '../config/cidr.ts';

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
  /** The access group's identity: the services, sorted, and the limit. */
  group: string;
}

function parse(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`cannot compile access for ${text}: ${parsed.reason}`);
  return parsed.cidr;
}

/**
 * compareCidrs' order in one number, which sorts several times faster than comparing the bigints: an IPv4 network
 * and prefix exactly (below 2^38), an IPv6 network by its first 52 bits, above every IPv4 key. IPv6 networks with
 * equal keys (one /52 and the networks inside it) are left to compareCidrs.
 */
function sortKey(cidr: Cidr): number {
  return cidr.family === 4 ? Number(cidr.network) * 64 + cidr.prefix : 2 ** 52 + Number(cidr.network >> 76n);
}

function compareNetworks(a: { key: number; cidr: Cidr }, b: { key: number; cidr: Cidr }): number {
  return a.key - b.key || (a.cidr.family === 6 ? compareCidrs(a.cidr, b.cidr) : 0);
}

function effective(services: ReadonlySet<string> | undefined, limit: number): Effective {
  const group = `${services ? [...services].sort().join(',') : '*'}|${limit}`;
  return services ? { services, limit, group } : { limit, group };
}

/**
 * What the innermost entry of a chain grants, given what its parent chain grants. `alone` holds what an entry
 * without a parent grants, by its services and limit: most entries of a large allowlist have no parent and grant
 * one of a few things, which they share instead of each making its own.
 */
function inherit(
  parent: Effective | undefined,
  entry: AccessEntry,
  defaultLimit: number,
  alone: Map<string, Effective>,
): Effective {
  const limit = entry.connectionsPerClient ?? defaultLimit;
  if (!parent) {
    const key = `${entry.services?.join(',') ?? '*'}|${limit}`;
    let shared = alone.get(key);
    if (!shared) {
      shared = effective(entry.services && new Set(entry.services), limit);
      alone.set(key, shared);
    }
    return shared;
  }
  const services =
    parent.services && entry.services ? new Set([...parent.services, ...entry.services]) : undefined;
  return effective(services, Math.max(parent.limit, limit));
}

/**
 * For every network that an entry of any side names, what the entries of each side containing it (an equal entry
 * included) grant together; undefined where no entry of that side contains it. Sides are compiled together, so
 * each network is parsed once and sorted once: networks either nest or are disjoint, so with broader networks
 * sorted before the networks inside them, a stack per side holds the chain of entries containing the current one.
 */
interface Network {
  cidr: Cidr;
  key: number;
  /** Per side, the entries naming this network (none: no list). */
  entries: (AccessEntry[] | undefined)[];
  /** Per side, what the entries containing this network grant. */
  grants: readonly (Effective | undefined)[];
}

interface Sweep {
  /** Every network named on any side, by its text. */
  networks: Map<string, Network>;
  /** Per side, each entry's network, in the entries' order. */
  ofEntries: Network[][];
}

function grantsBySide(sides: readonly AccessSide[]): Sweep {
  const networks = new Map<string, Network>();
  const ofEntries = sides.map(({ entries, networks: parsed }, side) => {
    const of: Network[] = new Array(entries.length);
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i] as AccessEntry;
      let network = networks.get(entry.cidr);
      if (!network) {
        const cidr = parsed?.[i] ?? parse(entry.cidr);
        network = { cidr, key: sortKey(cidr), entries: [], grants: NO_GRANTS };
        networks.set(entry.cidr, network);
      }
      const named = network.entries[side];
      if (named) named.push(entry);
      else network.entries[side] = [entry];
      of[i] = network;
    }
    return of;
  });
  const sorted = [...networks.values()].sort(compareNetworks);
  const chains = sides.map(() => [] as { cidr: Cidr; effective: Effective }[]);
  const alone = new Map<string, Effective>();
  // Plain loops: this runs once per network of 100,000-entry allowlists, where array helpers and their garbage
  // cost more than the work.
  for (let first = 0; first < sorted.length; ) {
    // The same network may be written more than one way in a base that only has to parse (10.0.0.1/8).
    const network = sorted[first] as Network;
    const { cidr } = network;
    let end = first + 1;
    while (end < sorted.length && compareNetworks(sorted[end] as Network, network) === 0) end++;
    const grants: (Effective | undefined)[] = [];
    chains.forEach((chain, side) => {
      while (chain.length > 0 && !containsCidr((chain.at(-1) as { cidr: Cidr }).cidr, cidr)) chain.pop();
      let effective = chain.at(-1)?.effective;
      let named = false;
      for (let i = first; i < end; i++) {
        for (const entry of (sorted[i] as Network).entries[side] ?? []) {
          effective = inherit(effective, entry, (sides[side] as AccessSide).defaultLimit, alone);
          named = true;
        }
      }
      if (named) chain.push({ cidr, effective: effective as Effective });
      grants.push(effective);
    });
    for (let i = first; i < end; i++) (sorted[i] as Network).grants = grants;
    first = end;
  }
  return { networks, ofEntries };
}

/** A network's grants until the sweep reaches it. */
const NO_GRANTS: readonly (Effective | undefined)[] = [];

export function compileAccess(entries: readonly AccessEntry[], defaultLimit: number): CompiledAccess {
  return compileAccessOfEach([{ entries, defaultLimit }])[0] as CompiledAccess;
}

export interface AccessSide {
  entries: readonly AccessEntry[];
  defaultLimit: number;
  /** Each entry's network, when the caller has parsed them already (the renderer checks every entry's spelling). */
  networks?: readonly Cidr[];
}

/**
 * compileAccess of several allowlists at once, each as compileAccess compiles it alone: a network they share (most
 * of a change's base and head) is parsed, sorted and swept once.
 */
export function compileAccessOfEach(sides: readonly AccessSide[]): CompiledAccess[] {
  const { ofEntries } = grantsBySide(sides);
  return sides.map((side, index) => accessGroupsOf(side.entries, ofEntries[index] as Network[], index));
}

function accessGroupsOf(
  entries: readonly AccessEntry[],
  networks: readonly Network[],
  side: number,
): CompiledAccess {
  const groups = new Map<string, AccessGroup>();
  const groupOf = (value: Effective): string => {
    let group = groups.get(value.group);
    if (!group) {
      const services = value.services && [...value.services].sort();
      group = { id: `g${groups.size}`, ...(services ? { services } : {}), connectionsPerClient: value.limit };
      groups.set(value.group, group);
    }
    return group.id;
  };
  return {
    entries: entries.map((entry, i) => ({
      cidr: entry.cidr,
      group: groupOf((networks[i] as Network).grants[side] as Effective),
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
  return reachOf(
    grantsBySide([
      { entries: before, defaultLimit: 0 },
      { entries: after, defaultLimit: 0 },
    ]).networks,
  );
}

/**
 * compileAccessOfEach of a change's base and head, and reachBeforeAndAfter between them, from one sweep: a pull
 * request's plan needs both.
 */
export function compileAccessChange(
  before: AccessSide,
  after: AccessSide,
): { compiled: [CompiledAccess, CompiledAccess]; reach: ReachChange[] } {
  const { networks, ofEntries } = grantsBySide([before, after]);
  return {
    compiled: [
      accessGroupsOf(before.entries, ofEntries[0] as Network[], 0),
      accessGroupsOf(after.entries, ofEntries[1] as Network[], 1),
    ],
    reach: reachOf(networks),
  };
}

function reachOf(networks: ReadonlyMap<string, Network>): ReachChange[] {
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
