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
}

function parse(text: string): Cidr {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(`cannot compile access for ${text}: ${parsed.reason}`);
  return parsed.cidr;
}

/** What the innermost entry of a chain grants, given what its parent chain grants. */
function inherit(parent: Effective | undefined, entry: AccessEntry, defaultLimit: number): Effective {
  const own: Effective = {
    ...(entry.services ? { services: new Set(entry.services) } : {}),
    limit: entry.connectionsPerClient ?? defaultLimit,
  };
  if (!parent) return own;
  const services =
    parent.services && own.services ? new Set([...parent.services, ...own.services]) : undefined;
  return { ...(services ? { services } : {}), limit: Math.max(parent.limit, own.limit) };
}

export function compileAccess(entries: readonly AccessEntry[], defaultLimit: number): CompiledAccess {
  const parsed = entries.map((entry, index) => ({ entry, index, cidr: parse(entry.cidr) }));
  const order = [...parsed].sort((a, b) => compareCidrs(a.cidr, b.cidr));
  const effective = new Array<Effective>(entries.length);
  // Broader networks sort before the networks inside them: a stack holds the chain of containing entries.
  const chain: { cidr: Cidr; effective: Effective }[] = [];
  for (const item of order) {
    while (chain.length > 0 && !containsCidr((chain.at(-1) as { cidr: Cidr }).cidr, item.cidr)) chain.pop();
    const value = inherit(chain.at(-1)?.effective, item.entry, defaultLimit);
    effective[item.index] = value;
    chain.push({ cidr: item.cidr, effective: value });
  }

  const groups = new Map<string, AccessGroup>();
  const groupOf = (value: Effective): string => {
    const services = value.services ? [...value.services].sort() : undefined;
    const key = `${services?.join(',') ?? '*'}|${value.limit}`;
    let group = groups.get(key);
    if (!group) {
      group = { id: `g${groups.size}`, ...(services ? { services } : {}), connectionsPerClient: value.limit };
      groups.set(key, group);
    }
    return group.id;
  };
  return {
    entries: parsed.map(({ entry, index }) => ({
      cidr: entry.cidr,
      group: groupOf(effective[index] as Effective),
    })),
    groups: [...groups.values()],
    limits: [...new Set([...groups.values()].map((g) => g.connectionsPerClient))].sort((a, b) => a - b),
  };
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
