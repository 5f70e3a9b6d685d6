// Temporary access ends on its expiry date: lapsed entries are refused or left out as the run chose
// (src/config/expiry.ts), entries about to expire are announced.
import { addDays, expiredOn } from '../../expiry.ts';
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
  check({ allowlist }, { today, expired }, report) {
    const soon = addDays(today, EXPIRY_WARNING_DAYS);
    allowlist.entries.forEach((entry, index) => {
      if (entry.expires === undefined) return;
      const at = { part: 'allowlist', path: ['entries', index, 'expires'] } as const;
      const fix =
        'remove the entry, or move expires forward once the owner confirms the access is still needed';
      if (!isCalendarDate(entry.expires)) {
        report('date-invalid', at, `${entry.expires} is not a calendar date`, 'write YYYY-MM-DD');
      } else if (expiredOn(entry, today)) {
        const lapsed = `${entry.cidr} (${entry.description}) expired on ${entry.expires}`;
        if (expired === 'refuse') report('entry-expired', at, lapsed, fix);
        if (expired === 'leave-out')
          report(
            'entry-expired-left-out',
            at,
            `${lapsed}; it is left out of what is deployed (pull requests still fail on it)`,
            fix,
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

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}
