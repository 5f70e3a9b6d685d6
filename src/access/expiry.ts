// Allowlist expiry between deployments: which entries have lapsed or are about to, whether the running fleet still
// admits a lapsed one, and the allowlist.yaml text without the lapsed entries (for the pull request that removes them).
//
// An entry is valid through its `expires` day (UTC), so it lapses at the start of the following day.
import type { AllowlistEntry } from '../config/model.ts';

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

/** Whether an entry has lapsed on `today`: it is valid through its `expires` day. */
export function expiredOn(entry: Pick<AllowlistEntry, 'expires'>, today: string): boolean {
  return entry.expires !== undefined && entry.expires < today;
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
    expired: dated.filter(({ entry }) => expiredOn(entry, today)),
    expiringSoon: dated.filter(
      ({ entry }) => !expiredOn(entry, today) && (entry.expires as string) <= horizon,
    ),
  };
}

/**
 * True when an entry lapsed after the oldest running image was rendered: that image still admits it, so the fleet
 * must be redeployed (a deployment renders the allowlist without lapsed entries). `renderedOn` is the UTC day the
 * oldest image running in any environment was rendered on (older renders admit more).
 */
export function runningFleetAdmitsExpired(
  entries: readonly AllowlistEntry[],
  renderedOn: string,
  today: string,
): boolean {
  // Lapsed today but not yet on the day of the render: that image admits it.
  return entries.some((entry) => expiredOn(entry, today) && !expiredOn(entry, renderedOn));
}

/**
 * The daily expiry run's decision: redeploy when an image running somewhere admits an entry that has lapsed by
 * `today`. `running` holds, per environment, the entries rendered into its image (its render's commit, entries
 * expired on its render day left out), or undefined when that is unknown (never deployed, a deployment record older
 * than render records, a commit that cannot be read): unknown redeploys, the safe side.
 */
export function dailyRedeploy(
  running: readonly (readonly AllowlistEntry[] | undefined)[],
  today: string,
): boolean {
  return running.some((entries) => entries === undefined || entries.some((entry) => expiredOn(entry, today)));
}
