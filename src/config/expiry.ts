// Allowlist expiry, the one definition every layer uses: when an entry has lapsed, and what a run does with a lapsed
// entry. An entry is valid through its `expires` day (UTC), so it lapses at the start of the following day.
//
// What a run does with lapsed entries is one value, chosen by the entry point and passed down (`ParseOptions.expired`):
// - 'refuse'    pull requests: `entry-expired` is an error, the configuration is refused;
// - 'leave-out' deploys and rollbacks: `entry-expired-left-out` is a warning and the entry is not deployed (the pull
//               request that merged it already failed, and it must not block an emergency rollback);
// - 'keep'      the commands that exist to handle lapsed entries (expiry, revoke): kept as written, not reported.
// A `cdk` process started by a deploy gets the choice and its day through one environment variable, written by
// `expiryEnvironment` and read by `expiryFromEnvironment` only.
import type { AllowlistEntry } from './model.ts';

export type ExpiredEntries = 'refuse' | 'leave-out' | 'keep';

/** Carries a deploy's choice and day into the CDK app's process ("leave-out@2026-12-07"). */
export const EXPIRY_VARIABLE = 'LATTICE_INGRESS_EXPIRY';

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

/** The environment a `cdk` process needs to judge expiry as the run that starts it does. */
export function expiryEnvironment(expired: ExpiredEntries, now: Date): Record<string, string> {
  return { [EXPIRY_VARIABLE]: `${expired}@${utcDay(now)}` };
}

/** The choice and day handed in by `expiryEnvironment`; without one, a plain `cdk synth` refuses as a pull request. */
export function expiryFromEnvironment(env: Readonly<Record<string, string | undefined>>): {
  expired: ExpiredEntries;
  now?: Date;
} {
  const match = /^(refuse|leave-out|keep)@(\d{4}-\d{2}-\d{2})$/.exec(env[EXPIRY_VARIABLE] ?? '');
  if (!match) return { expired: 'refuse' };
  return { expired: match[1] as ExpiredEntries, now: new Date(`${match[2]}T00:00:00Z`) };
}
