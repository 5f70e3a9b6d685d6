// The rollback workflow's record of who rolled back what and why, for the job summary. The reason is free text
// typed by a person, so it is escaped rather than trusted as Markdown or HTML.
// Usage (rollback.yml): ACTOR, ENVIRONMENT, TARGET, REASON, OUTCOME, IMAGE_TAG, ROLLED_BACK_FROM, RUN_URL in the environment
import { appendFileSync } from 'node:fs';
import { isEntryPoint } from './entry.ts';

export interface RollbackRecord {
  actor: string;
  environment: string;
  target: string;
  reason: string;
  outcome: string;
  imageTag?: string;
  rolledBackFrom?: string;
  runUrl?: string;
}

/** Text that renders literally inside a Markdown table cell. */
export function escapeCell(text: string): string {
  return text
    .replace(/[\r\n]+/g, ' ')
    .replace(/[&<>"'|\\`*_[\]#~]/g, (c) => `&#${c.charCodeAt(0)};`)
    .trim();
}

export function rollbackRecord(r: RollbackRecord): string {
  const done = r.outcome === 'success';
  const rows: [string, string][] = [
    ['Environment', r.environment],
    ['Requested by', `@${r.actor}`],
    ['Reason', r.reason],
    ['Target', r.target],
    ['Now running', done ? (r.imageTag ?? '?') : '(unchanged: the rollback did not complete)'],
    ['Was running', r.rolledBackFrom ?? '?'],
  ];
  if (r.runUrl) rows.push(['Run', r.runUrl]);
  const table = rows.map(([k, v]) => `| ${k} | ${escapeCell(v)} |`).join('\n');
  const title = done
    ? `Rolled back ${escapeCell(r.environment)}`
    : `Rollback of ${escapeCell(r.environment)} failed`;
  return `## ${done ? ':leftwards_arrow_with_hook:' : ':x:'} ${title}\n\n| | |\n| --- | --- |\n${table}\n`;
}

if (isEntryPoint(import.meta.url)) {
  const env = process.env;
  const summary = rollbackRecord({
    actor: env.ACTOR ?? '?',
    environment: env.ENVIRONMENT ?? '?',
    target: env.TARGET ?? '?',
    reason: env.REASON ?? '',
    outcome: env.OUTCOME ?? '',
    imageTag: env.IMAGE_TAG || undefined,
    rolledBackFrom: env.ROLLED_BACK_FROM || undefined,
    runUrl: env.RUN_URL || undefined,
  });
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, summary);
  else console.log(summary);
}
