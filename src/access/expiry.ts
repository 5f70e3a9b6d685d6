// Allowlist expiry between deployments: which entries have lapsed or are about to, whether the running fleet still
// admits a lapsed one, and the allowlist.yaml text without the lapsed entries (for the pull request that removes them).
//
// An entry is valid through its `expires` day (UTC), so it lapses at the start of the following day.
import type { AllowlistEntry } from '../config/model.ts';
import { keyNodeAt, nodeAt, positionOf, type YamlSource } from '../config/yaml-source.ts';

export interface DatedEntry {
  /** Index in allowlist.yaml's `entries`. */
  index: number;
  entry: AllowlistEntry;
}

export interface ExpiryStatus {
  /** Lapsed before `today`: the proxy must no longer admit them. */
  expired: DatedEntry[];
  /** Still valid, lapsing within the warning window: their owners should renew or let go. */
  expiringSoon: DatedEntry[];
}

/** YYYY-MM-DD of `date` in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000));
}

export function expiryStatus(
  entries: readonly AllowlistEntry[],
  today: string,
  warningDays: number,
): ExpiryStatus {
  const horizon = addDays(today, warningDays);
  const dated = entries
    .map((entry, index) => ({ index, entry }))
    .filter(({ entry }) => entry.expires !== undefined);
  return {
    expired: dated.filter(({ entry }) => (entry.expires as string) < today),
    expiringSoon: dated.filter(
      ({ entry }) => (entry.expires as string) >= today && (entry.expires as string) <= horizon,
    ),
  };
}

/**
 * True when an entry lapsed after the last deployment rendered the allowlist: that deployment still admits it, so
 * the fleet must be redeployed (a deployment renders the allowlist without lapsed entries). `lastDeployedDay` is the
 * UTC day of the oldest of the environments' latest successful deployments.
 */
export function runningFleetAdmitsExpired(
  entries: readonly AllowlistEntry[],
  lastDeployedDay: string,
  today: string,
): boolean {
  return entries.some(
    ({ expires }) => expires !== undefined && expires >= lastDeployedDay && expires < today,
  );
}

/**
 * allowlist.yaml without the entries at `indexes`, every other byte (comments, order, formatting) kept. An entry
 * goes with the comment lines directly above it, which describe it. Refuses a flow-style list (`entries: [...]`),
 * where entries do not own whole lines.
 */
export function withoutEntries(source: YamlSource, indexes: readonly number[]): string {
  if (indexes.length === 0) return source.text;
  const lines = source.text.split('\n');
  const drop = new Set<number>();
  for (const index of indexes) {
    const first = positionOf(source, nodeAt(source, ['entries', index]).offset).line - 1;
    const dash = lines[first]?.match(/^(\s*)-\s/);
    if (!dash) {
      throw new Error(
        `allowlist.yaml: entry ${index + 1} does not start its own line ("- cidr: ..."); remove it by hand`,
      );
    }
    const indent = (dash[1] as string).length;
    const isOwnLine = (line: string) => /^\s*(#|$)/.test(line) || line.search(/\S/) > indent;
    let last = first;
    for (let line = first + 1; line < lines.length && isOwnLine(lines[line] as string); line++) {
      if (!/^\s*(#|$)/.test(lines[line] as string)) last = line;
    }
    for (let line = first; line <= last; line++) drop.add(line);
    for (let line = first - 1; line >= 0 && /^\s*#/.test(lines[line] as string); line--) {
      if ((lines[line] as string).search(/\S/) !== indent) break;
      drop.add(line);
    }
  }
  const entries = nodeAt(source, ['entries']).value;
  if (Array.isArray(entries) && new Set(indexes).size === entries.length) {
    // An empty block list would read as null: say "no entries" explicitly.
    const key = keyNodeAt(source, [], 'entries');
    if (key) {
      const line = positionOf(source, key.offset).line - 1;
      lines[line] = (lines[line] as string).replace(/entries:\s*$/, 'entries: []');
    }
  }
  return lines.filter((_, line) => !drop.has(line)).join('\n');
}
