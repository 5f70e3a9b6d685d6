// The rollback workflow's record of who rolled back what and why, for the job summary. The reason is free text
// typed by a person, so its cells are escaped: it cannot break the table or become HTML.
// Usage (rollback.yml): ACTOR, ENVIRONMENT, TARGET, REASON, OUTCOME, IMAGE_TAG, ROLLED_BACK_FROM, RUN_URL in the environment
import { appendFileSync } from 'node:fs';
import { escapeCell } from '../../src/render/markdown.ts';
import { Report } from '../../src/render/report.ts';
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
  const title = done ? `Rolled back ${r.environment}` : `Rollback of ${r.environment} failed`;
  return new Report('markdown')
    .heading(`${done ? ':leftwards_arrow_with_hook:' : ':x:'} ${escapeCell(title)}`)
    .table(['', ''], rows)
    .text();
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
