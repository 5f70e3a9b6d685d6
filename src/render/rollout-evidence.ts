// What a rollout saw, as report sections (job summary or terminal) and plain log lines: for a failed or timed-out
// one the reason, then the evidence (service events, stopped tasks with their exit codes, CloudFormation resources
// that failed); for a completed one its service events.
import type { StackEvent } from '@aws-sdk/client-cloudformation';
import type { ServiceEvent, Task } from '@aws-sdk/client-ecs';
import type { Report } from './report.ts';

/** What was seen around a failure: service events since the start, stopped tasks, failed stack resources. */
export interface RolloutEvidence {
  serviceEvents: readonly ServiceEvent[];
  stoppedTasks: readonly Task[];
  /** The stack resources that failed, with CloudFormation's reason. */
  stackEvents: readonly StackEvent[];
}

/** Why a rollout failed and what was seen around it (src/operations/roll-out.ts gathers it). */
export interface FailureEvidence extends RolloutEvidence {
  reason: string;
}

const iso = (date?: Date) => date?.toISOString().replace('.000Z', 'Z') ?? '';

/** One line per stopped task: why ECS stopped it and how each container ended. */
export function describeStoppedTask(task: Task): string {
  const id = task.taskArn?.split('/').pop() ?? 'task';
  const containers = (task.containers ?? [])
    .map((c) => {
      const exit = c.exitCode === undefined ? 'no exit code' : `exit ${c.exitCode}`;
      return `${c.name}: ${exit}${c.reason ? ` (${c.reason})` : ''}`;
    })
    .join('; ');
  const stopCode = task.stopCode ? ` [${task.stopCode}]` : '';
  return `${id}: ${task.stoppedReason ?? 'stopped'}${stopCode}${containers ? ` — ${containers}` : ''}`;
}

export function failureLogLines(evidence: FailureEvidence): string[] {
  const lines = [`Rollout failed: ${evidence.reason}`];
  if (evidence.stoppedTasks.length > 0) {
    lines.push('Stopped tasks:', ...evidence.stoppedTasks.map((t) => `  ${describeStoppedTask(t)}`));
  }
  if (evidence.stackEvents.length > 0) {
    lines.push(
      'CloudFormation failures:',
      ...evidence.stackEvents.map(
        (e) => `  ${e.LogicalResourceId} ${e.ResourceStatus}: ${e.ResourceStatusReason}`,
      ),
    );
  }
  if (evidence.serviceEvents.length > 0) {
    lines.push('Service events:', ...evidence.serviceEvents.map((e) => `  ${iso(e.createdAt)} ${e.message}`));
  }
  return lines;
}

/** The failure and its evidence as sections of a report (the job summary, or a terminal). */
export function failureReport(evidence: FailureEvidence, report: Report): Report {
  report.heading(`❌ ${evidence.reason}`, 3);
  if (evidence.stoppedTasks.length > 0) {
    report.heading('Stopped tasks', 4).table(
      ['Task', 'Stopped', 'Reason', 'Containers'],
      evidence.stoppedTasks.map((t) => [
        t.taskArn?.split('/').pop() ?? '',
        iso(t.stoppedAt),
        `${t.stoppedReason ?? ''}${t.stopCode ? ` (${t.stopCode})` : ''}`,
        (t.containers ?? [])
          .map((c) => `${c.name}: ${c.exitCode ?? '-'}${c.reason ? ` ${c.reason}` : ''}`)
          .join('; '),
      ]),
    );
  }
  if (evidence.stackEvents.length > 0) {
    report.heading('CloudFormation failures', 4).table(
      ['Time', 'Resource', 'Status', 'Reason'],
      evidence.stackEvents.map((e) => [
        iso(e.Timestamp),
        `${e.LogicalResourceId ?? ''} (${e.ResourceType ?? ''})`,
        e.ResourceStatus ?? '',
        e.ResourceStatusReason ?? '',
      ]),
    );
  }
  if (evidence.serviceEvents.length > 0) {
    report.heading('Service events', 4).table(
      ['Time', 'Event'],
      evidence.serviceEvents.map((e) => [iso(e.createdAt), e.message ?? '']),
    );
  }
  if (
    evidence.stoppedTasks.length === 0 &&
    evidence.serviceEvents.length === 0 &&
    evidence.stackEvents.length === 0
  ) {
    report.paragraph(
      'No service events, stopped tasks or failed stack resources were recorded since the rollout began.',
    );
  }
  return report;
}

/** The service events of a completed rollout, folded. */
export function timelineReport(events: readonly ServiceEvent[], report: Report): Report {
  if (events.length === 0) return report;
  const rows = events.map((event) => [event.createdAt?.toISOString() ?? '', event.message ?? '']);
  const body = report.fork().table(['Time', 'Event'], rows);
  return report.details(`Service events (${events.length})`, body);
}
