// A rollout's outcome as the rollout and rollback actions (and the rollback command) report it: the summary
// (Markdown on GitHub, plain text in a terminal) with what ran where, the evidence of a failure or the service
// events of a success; the log lines of a failure, the stack-updated output and the step's result.
import type { RolloutCompleted, RolloutOutcome } from '../operations/roll-out.ts';
import type { Report } from '../render/report.ts';
import { failureLogLines, failureReport, timelineReport } from '../render/rollout-evidence.ts';
import { formatDuration } from '../rollout/verification.ts';
import { type ActionIO, newReport } from './io.ts';
import { ActionFailure } from './run.ts';

/** A row of the summary table; `code` values are shown as code. */
export interface ContextRow {
  label: string;
  value: string;
  code?: boolean;
}

/** What the report says above the outcome. */
export interface ReportHeader {
  /** Heading of the summary section, e.g. "Rollout" or "Rollback". */
  title: string;
  environmentName: string;
  imageTag: string;
  /** Extra rows for the summary table (who, why, ...). */
  context?: ContextRow[];
}

/** The outcome in the log and the summary; resolves only when it completed, else throws ActionFailure. */
export async function reportRollout(
  request: ReportHeader,
  outcome: RolloutOutcome,
  io: ActionIO,
): Promise<RolloutCompleted> {
  await io.appendSummary(rolloutReport(request, outcome, newReport(io)).text());
  if (outcome.state === 'failed') {
    for (const line of failureLogLines({ reason: outcome.reason, ...outcome.evidence })) io.info(line);
  }
  // Set on failure too: a workflow need not roll back a rollout that failed before it changed the stack.
  io.setOutput('stack-updated', outcome.state === 'completed' ? outcome.changed : !outcome.unchanged);
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
  return outcome;
}

function rolloutReport(request: ReportHeader, outcome: RolloutOutcome, report: Report): Report {
  const value = (row: ContextRow) => (row.code ? report.code(row.value) : row.value);
  const rows: [string, string][] = [
    ['Environment', report.code(request.environmentName)],
    ...(request.context ?? []).map((row): [string, string] => [row.label, value(row)]),
  ];
  if (outcome.imageDigest) rows.push(['Image digest', report.code(outcome.imageDigest)]);
  if (outcome.previousImageTag !== undefined) {
    rows.push([
      'Image tag',
      `${report.code(outcome.previousImageTag || 'none')} → ${report.code(request.imageTag)}`,
    ]);
  }
  if (outcome.service) rows.push(['Service', report.code(outcome.service)]);
  if (outcome.state === 'failed') {
    report.heading(`${request.title} of ${report.code(request.imageTag)} failed`).table(['', ''], rows);
    return failureReport({ reason: outcome.reason, ...outcome.evidence }, report);
  }
  const taskDefinition = outcome.taskDefinitionArn;
  rows.push(
    ['Task definition', report.code(taskDefinition.split('/').pop() ?? taskDefinition)],
    ['Tasks verified', `${outcome.verifiedTasks} running, all on the digest above`],
    ['Duration', formatDuration(outcome.durationMs)],
    ...(outcome.deploymentId !== undefined
      ? ([['GitHub deployment', String(outcome.deploymentId)]] as [string, string][])
      : []),
  );
  const headline = outcome.changed
    ? `✅ ${report.code(request.imageTag)} is running`
    : `✅ already on ${report.code(request.imageTag)}; service verified`;
  report.heading(`${request.title}: ${headline}`).table(['', ''], rows);
  return timelineReport(outcome.timeline, report);
}
