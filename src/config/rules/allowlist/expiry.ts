// Temporary access ends on its expiry date: expired entries are refused, entries about to expire are announced.
import { defineRule } from '../rule.ts';

/** Entries expiring within this many days are reported as warnings. */
export const EXPIRY_WARNING_DAYS = 14;

export const expiry = defineRule({
  name: 'expiry',
  group: 'allowlist',
  reads: ['allowlist'],
  codes: {
    'entry-expired': { severity: 'error', summary: '`expires` is before today (UTC)' },
    'entry-expiring': { severity: 'warning', summary: `\`expires\` is within ${EXPIRY_WARNING_DAYS} days` },
    'date-invalid': { severity: 'error', summary: '`expires` is not a calendar date (`2026-02-30`)' },
    'entry-expired-left-out': {
      severity: 'warning',
      summary:
        '(deploy and rollback) `expires` is before today: the entry is left out of what is deployed; pull requests still fail on it',
    },
  },
  check({ allowlist }, { now, purpose }, report) {
    const today = now.toISOString().slice(0, 10);
    const soon = new Date(now.getTime() + EXPIRY_WARNING_DAYS * 86_400_000).toISOString().slice(0, 10);
    allowlist.entries.forEach((entry, index) => {
      if (entry.expires === undefined) return;
      const at = { part: 'allowlist', path: ['entries', index, 'expires'] } as const;
      if (!isCalendarDate(entry.expires)) {
        report('date-invalid', at, `${entry.expires} is not a calendar date`, 'write YYYY-MM-DD');
      } else if (entry.expires < today && purpose === 'deploy') {
        report(
          'entry-expired-left-out',
          at,
          `${entry.cidr} (${entry.description}) expired on ${entry.expires}; it is left out of what is deployed (pull requests still fail on it)`,
          'remove the entry, or move expires forward once the owner confirms the access is still needed',
        );
      } else if (entry.expires < today) {
        report(
          'entry-expired',
          at,
          `${entry.cidr} (${entry.description}) expired on ${entry.expires}`,
          'remove the entry, or move expires forward once the owner confirms the access is still needed',
        );
      } else if (entry.expires <= soon) {
        report(
          'entry-expiring',
          at,
          `${entry.cidr} (${entry.description}) expires on ${entry.expires}, within ${EXPIRY_WARNING_DAYS} days`,
          'ask the owner whether the access is still needed; renew or remove it before then',
        );
      }
    });
  },
});

/** An entry whose last day (UTC) is before today's. */
export function isExpired(entry: { expires?: string | undefined }, now: Date): boolean {
  return (
    entry.expires !== undefined &&
    isCalendarDate(entry.expires) &&
    entry.expires < now.toISOString().slice(0, 10)
  );
}

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
