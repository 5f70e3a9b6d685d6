// What every rule of one check run shares: today, line lookups for messages that name another entry, and the
// allowlist's networks parsed once (several rules need them, and an allowlist can hold 100,000 entries). The parse
// is made on first use and belongs to this run's context, so nothing is carried from one run to the next.
import { type Cidr, type CidrParseResult, compareCidrs, ipv4MappedEquivalent, parseCidr } from '../cidr.ts';
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

/**
 * What the configuration is checked for: a pull request (every finding counts) or a deploy or rollback of what is
 * already merged, where an expired allowlist entry must not block an emergency rollback (it is left out instead).
 */
export type ValidationPurpose = 'pull-request' | 'deploy';

export interface RuleContext {
  now: Date;
  purpose: ValidationPurpose;
  /** Line of a value, for messages that refer to another entry ("see line 12"). */
  lineOf(part: ConfigPart, path: ValuePath): number;
  allowlistNetworks(allowlist: Allowlist): AllowlistNetworks;
}

export function createRuleContext(
  files: Partial<Record<ConfigPart, ParsedFile>>,
  now: Date,
  purpose: ValidationPurpose = 'pull-request',
): RuleContext {
  let networks: { of: Allowlist; value: AllowlistNetworks } | undefined;
  return {
    now,
    purpose,
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
