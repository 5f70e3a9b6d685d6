// What every rule of one check run shares: today and what to do with lapsed entries, line lookups for messages that name another entry, and the
// allowlist's networks parsed once (several rules need them, and an allowlist can hold 100,000 entries). The parse
// is made on first use and belongs to this run's context, so nothing is carried from one run to the next.
import { type Cidr, type CidrParseResult, compareCidrs, ipv4MappedEquivalent, parseCidr } from '../cidr.ts';
import type { ExpiredEntries } from '../expiry.ts';
import { locate, type ParsedFile, type ValuePath } from '../locate.ts';
import type { Allowlist, ConfigPart } from '../model.ts';

export interface AllowlistNetwork {
  /** Index of the entry in allowlist.yaml. */
  index: number;
  cidr: Cidr;
}

export interface AllowlistNetworks {
  /** Every entry's parse, by index. */
  parsed: readonly CidrParseResult[];
  /** Entries that are networks a client can match: parsed, and not IPv4-mapped IPv6. */
  valid: readonly AllowlistNetwork[];
  /** The valid entries by family, network, then broader first (and file order among equals). */
  sorted: readonly AllowlistNetwork[];
}

export interface RuleContext {
  /** The run's day (UTC, YYYY-MM-DD), for expiry. */
  today: string;
  /** What this run does with lapsed allowlist entries (src/config/expiry.ts). */
  expired: ExpiredEntries;
  /** Line of a value, for messages that refer to another entry ("see line 12"). */
  lineOf(part: ConfigPart, path: ValuePath): number;
  allowlistNetworks(allowlist: Allowlist): AllowlistNetworks;
}

export function createRuleContext(
  files: Partial<Record<ConfigPart, ParsedFile>>,
  today: string,
  expired: ExpiredEntries = 'refuse',
): RuleContext {
  let networks: { of: Allowlist; value: AllowlistNetworks } | undefined;
  return {
    today,
    expired,
    lineOf: (part, path) => {
      const file = files[part];
      return file ? locate(file, path).line : 1;
    },
    allowlistNetworks(allowlist) {
      if (networks?.of !== allowlist) networks = { of: allowlist, value: parseAllowlist(allowlist) };
      return networks.value;
    },
  };
}

function parseAllowlist(allowlist: Allowlist): AllowlistNetworks {
  const parsed = allowlist.entries.map((entry) => parseCidr(entry.cidr));
  const valid: AllowlistNetwork[] = [];
  parsed.forEach((result, index) => {
    if (result.ok && !ipv4MappedEquivalent(result.cidr)) valid.push({ index, cidr: result.cidr });
  });
  const sorted = [...valid].sort((a, b) => compareCidrs(a.cidr, b.cidr) || a.index - b.index);
  return { parsed, valid, sorted };
}
