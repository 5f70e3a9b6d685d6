// `lattice-ingress expiry`: flags into the expire operation (src/operations/expire.ts), its outcome into lines or
// JSON, and (--write) allowlist.yaml without the lapsed entries. The scheduled expiry workflow runs it daily.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceEntries } from '../../access/allowlist-edit.ts';
import type { DatedEntry } from '../../access/expiry.ts';
import { locate } from '../../config/locate.ts';
import { ISO_DATE } from '../../config/model.ts';
import { EXPIRY_WARNING_DAYS } from '../../config/rules/allowlist/expiry.ts';
import { expire } from '../../operations/expire.ts';
import { systemClock } from '../../operations/ports.ts';
import type { Command } from '../command.ts';
import { loadConfigAllowingExpired } from '../valid-config.ts';

interface ListedEntry {
  line: number;
  cidr: string;
  description: string;
  expires: string;
}

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as {
    config: string;
    json?: boolean;
    write?: boolean;
    'deployed-on'?: string;
    today?: string;
  };
  for (const option of ['deployed-on', 'today'] as const) {
    const day = values[option];
    if (day !== undefined && !ISO_DATE.test(day))
      throw new Error(`--${option} must be a date written YYYY-MM-DD`);
  }
  // The one "today" of the run: --today, else the system clock's UTC day.
  const clock = values.today ? { now: () => new Date(`${values.today}T00:00:00Z`) } : systemClock;
  const loaded = await loadConfigAllowingExpired(values.config, 'Nothing was changed', clock.now());
  if (!loaded) return 1;
  const { allowlist, allowlistFile } = loaded;
  const outcome = await expire(
    {
      entries: allowlist.entries,
      warningDays: EXPIRY_WARNING_DAYS,
      ...(values['deployed-on'] ? { deployedOn: values['deployed-on'] } : {}),
    },
    { clock },
  );
  const listed = (dated: DatedEntry[]): ListedEntry[] =>
    dated.map(({ index, entry }) => ({
      line: locate(allowlistFile, ['entries', index]).line,
      cidr: entry.cidr,
      description: entry.description,
      expires: entry.expires as string,
    }));
  const report = {
    today: outcome.today,
    expired: listed(outcome.expired),
    expiringSoon: listed(outcome.expiringSoon),
    redeploy: outcome.redeploy,
  };
  if (values.write && outcome.removal.size > 0) {
    writeFileSync(
      join(values.config, 'allowlist.yaml'),
      replaceEntries(loaded.allowlistSource, outcome.removal),
    );
  }
  console.log(values.json ? JSON.stringify(report) : describe(report, values.write === true));
  return 0;
};

function describe(
  report: { expired: ListedEntry[]; expiringSoon: ListedEntry[]; redeploy?: boolean },
  wrote: boolean,
) {
  const item = (e: ListedEntry) => `  line ${e.line}: ${e.cidr} (${e.description}), expires ${e.expires}`;
  const lines = [
    report.expired.length === 0
      ? 'No entry has expired.'
      : `Expired${wrote ? ' (removed from allowlist.yaml)' : ''}:\n${report.expired.map(item).join('\n')}`,
    report.expiringSoon.length === 0
      ? `No entry expires within ${EXPIRY_WARNING_DAYS} days.`
      : `Expiring within ${EXPIRY_WARNING_DAYS} days:\n${report.expiringSoon.map(item).join('\n')}`,
  ];
  if (report.redeploy !== undefined) {
    lines.push(
      report.redeploy
        ? 'The running fleet still admits an expired entry: redeploy.'
        : 'The running fleet admits no expired entry.',
    );
  }
  return lines.join('\n');
}
