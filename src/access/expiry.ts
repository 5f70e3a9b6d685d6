// Allowlist expiry between deployments: which entries have lapsed or are about to, whether the running fleet still
// admits a lapsed one, and the allowlist.yaml text without the lapsed entries (for the pull request that removes them).
//
// When an entry lapses is defined once, in src/config/expiry.ts.
import { addDays, expiredOn } from '../config/expiry.ts';
import type { AllowlistEntry } from '../config/model.ts';

// The day arithmetic stays importable from here for the logic that judges expiry between deployments.
export { addDays, expiredOn, utcDay } from '../config/expiry.ts';

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
