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

function effective(services: ReadonlySet<string> | undefined, limit: number): Effective {
  const group = `${services ? [...services].sort().join(',') : '*'}|${limit}`;
  return services ? { services, limit, group } : { limit, group };
}

/**
 * What entries without a parent grant, shared by every such entry granting the same: most entries of a large
 * allowlist have no parent and grant one of a few things. Keyed by the limit alone where the entry names no
 * services, which spares writing a key for each of them.
 */
interface Alone {
  everyService: Map<number, Effective>;
  someServices: Map<string, Effective>;
}

/** What the innermost entry of a chain grants, given what its parent chain grants. */
function inherit(
  parent: Effective | undefined,
  entry: AccessEntry,
  defaultLimit: number,
  alone: Alone,
): Effective {
  const limit = entry.connectionsPerClient ?? defaultLimit;
  if (parent) {
    const services =
      parent.services && entry.services ? new Set([...parent.services, ...entry.services]) : undefined;
    return effective(services, Math.max(parent.limit, limit));
  }
  if (!entry.services) {
    return alone.everyService.get(limit) ?? remember(alone.everyService, limit, effective(undefined, limit));
  }
  const key = `${entry.services.join(',')}|${limit}`;
  return (
    alone.someServices.get(key) ??
    remember(alone.someServices, key, effective(new Set(entry.services), limit))
  );
}

function remember<K>(map: Map<K, Effective>, key: K, value: Effective): Effective {
  map.set(key, value);
  return value;
}

/**
 * The networks named on any side, numbered in order of first appearance, with what each side grants them. Kept as
 * arrays indexed by number, not an object per network: a sweep covers 100,000 networks, and their garbage cost
 * more than the work.
 */
interface Sweep {
  /** Each network's number, by its text. */
  numbers: Map<string, number>;
  /** Per side, each entry's network number, in the entries' order. */
  ofEntries: Int32Array[];
  /** Per side, by network number, what the entries containing that network grant (undefined: none). */
  grants: (Effective | undefined)[][];
}

/** The networks of every side, numbered, and per side the entries naming each one. */
interface Named {
  numbers: Map<string, number>;
  cidrs: Cidr[];
  keys: Float64Array;
  ofEntries: Int32Array[];
  /**
   * Per side and network, the entries naming it as a linked list: the first entry's index (-1: none), then each
   * entry's next (a base that only has to parse may name a network twice).
   */
  firstEntry: Int32Array[];
  nextEntry: Int32Array[];
}

function nameNetworks(sides: readonly AllowlistToCompile[]): Named {
  const capacity = sides.reduce((sum, side) => sum + side.entries.length, 0);
  const named: Named = {
    numbers: new Map(),
    cidrs: [],
    keys: new Float64Array(capacity),
    ofEntries: [],
    firstEntry: sides.map(() => new Int32Array(capacity).fill(-1)),
    nextEntry: sides.map((side) => new Int32Array(side.entries.length).fill(-1)),
  };
  const { numbers, cidrs, keys } = named;
  sides.forEach(({ entries, networks: parsed }, side) => {
    const of = new Int32Array(entries.length);
    const first = named.firstEntry[side] as Int32Array;
    const next = named.nextEntry[side] as Int32Array;
    const last = new Int32Array(capacity);
    for (let i = 0; i < entries.length; i++) {
      const text = (entries[i] as AccessEntry).cidr;
      let network = numbers.get(text);
      if (network === undefined) {
        network = cidrs.length;
        const cidr = parsed?.[i] ?? parse(text);
        cidrs.push(cidr);
        keys[network] = sortKey(cidr);
        numbers.set(text, network);
      }
      if (first[network] === -1) first[network] = i;
      else next[last[network] as number] = i;
      last[network] = i;
      of[i] = network;
    }
    named.ofEntries.push(of);
  });
  return named;
}

/** Network numbers in compareCidrs' order. */
function sortNetworks({ cidrs, keys }: Named): { sorted: Int32Array; compare(a: number, b: number): number } {
  const compare = (a: number, b: number) =>
    (keys[a] as number) - (keys[b] as number) ||
    ((cidrs[a] as Cidr).family === 6 ? compareCidrs(cidrs[a] as Cidr, cidrs[b] as Cidr) : 0);
  const sorted = new Int32Array(cidrs.length);
  for (let n = 0; n < sorted.length; n++) sorted[n] = n;
  return { sorted: sorted.sort(compare), compare };
}

function grantsBySide(sides: readonly AllowlistToCompile[]): Sweep {
  const named = nameNetworks(sides);
  const { sorted, compare } = sortNetworks(named);
  const count = sorted.length;
  const alone: Alone = { everyService: new Map(), someServices: new Map() };
  const swept = sides.map(
    ({ entries, defaultLimit }, side): SideSweep => ({
      entries,
      defaultLimit,
      first: named.firstEntry[side] as Int32Array,
      next: named.nextEntry[side] as Int32Array,
      chain: { cidrs: [], grants: [] },
      grants: new Array(count),
      alone,
    }),
  );
  for (let from = 0; from < count; ) {
    // The same network may be written more than one way in a base that only has to parse (10.0.0.1/8).
    let to = from + 1;
    while (to < count && compare(sorted[to] as number, sorted[from] as number) === 0) to++;
    const cidr = named.cidrs[sorted[from] as number] as Cidr;
    for (const side of swept) {
      const effective = grantOfRun(side, cidr, sorted, from, to);
      for (let i = from; i < to; i++) side.grants[sorted[i] as number] = effective;
    }
    from = to;
  }
  return { numbers: named.numbers, ofEntries: named.ofEntries, grants: swept.map((side) => side.grants) };
}

/** One side as the sweep goes: its entries by network, its chain, and what it grants each network so far. */
interface SideSweep {
  entries: readonly AccessEntry[];
  defaultLimit: number;
  /** Named.firstEntry and Named.nextEntry of this side. */
  first: Int32Array;
  next: Int32Array;
  /**
   * The named networks containing the current one, broadest first, and what each grants: two arrays rather than an
   * object per link.
   */
  chain: { cidrs: Cidr[]; grants: Effective[] };
  grants: (Effective | undefined)[];
  alone: Alone;
}

/**
 * What one side grants the run of equal networks sorted[from..to), whose network is `cidr`, with the side's chain
 * moved on to them.
 */
function grantOfRun(
  side: SideSweep,
  cidr: Cidr,
  sorted: Int32Array,
  from: number,
  to: number,
): Effective | undefined {
  const { chain, first, next, entries, defaultLimit, alone } = side;
  while (chain.cidrs.length > 0 && !containsCidr(chain.cidrs.at(-1) as Cidr, cidr)) {
    chain.cidrs.pop();
    chain.grants.pop();
  }
  let effective = chain.grants.at(-1);
  let isNamed = false;
  for (let i = from; i < to; i++) {
    for (let entry = first[sorted[i] as number] as number; entry !== -1; entry = next[entry] as number) {
      effective = inherit(effective, entries[entry] as AccessEntry, defaultLimit, alone);
      isNamed = true;
    }
  }
  if (isNamed) {
    chain.cidrs.push(cidr);
    chain.grants.push(effective as Effective);
  }
  return effective;
}

export function compileAccess(entries: readonly AccessEntry[], defaultLimit: number): CompiledAccess {
  return compileAccessOfEach([{ entries, defaultLimit }])[0] as CompiledAccess;
}

export interface AllowlistToCompile {
  entries: readonly AccessEntry[];
  defaultLimit: number;
  /** Each entry's network, when the caller has parsed them already (the renderer checks every entry's spelling). */
  networks?: readonly Cidr[];
}

/**
 * compileAccess of several allowlists at once, each as compileAccess compiles it alone: a network they share (most
 * of a change's base and head) is parsed, sorted and swept once.
 */
export function compileAccessOfEach(sides: readonly AllowlistToCompile[]): CompiledAccess[] {
  const sweep = grantsBySide(sides);
  return sides.map((side, index) => accessGroupsOf(side.entries, sweep, index));
}

function accessGroupsOf(entries: readonly AccessEntry[], sweep: Sweep, side: number): CompiledAccess {
  const networks = sweep.ofEntries[side] as Int32Array;
  const grants = sweep.grants[side] as (Effective | undefined)[];
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
      group: groupOf(grants[networks[i] as number] as Effective),
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
    ]),
  );
}

/**
 * compileAccessOfEach of a change's base and head, and reachBeforeAndAfter between them, from one sweep: a pull
 * request's plan needs both.
 */
export function compileAccessChange(
  before: AllowlistToCompile,
  after: AllowlistToCompile,
): { compiled: [CompiledAccess, CompiledAccess]; reach: ReachChange[] } {
  const sweep = grantsBySide([before, after]);
  return {
    compiled: [accessGroupsOf(before.entries, sweep, 0), accessGroupsOf(after.entries, sweep, 1)],
    reach: reachOf(sweep),
  };
}

function reachOf({ numbers, grants: [before, after] }: Sweep): ReachChange[] {
  const reach = (grants: Effective | undefined): Reach =>
    grants === undefined ? new Set<string>() : (grants.services ?? 'every');
  return Array.from(numbers, ([cidr, network]) => ({
    cidr,
    before: reach(before?.[network]),
    after: reach(after?.[network]),
  }));
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
