// A rollback's outcome as the rollback action and command report it: the access comparison (its section of the
// summary, the warning when the operator overrode it, the fix when it refused), then the rollout that followed, and
// the outputs.
import { type AccessComparison, describeWidening, widens } from '../access/rollback-access.ts';
import type { RollbackOutcome, RollbackRequest } from '../operations/roll-back.ts';
import type { Report } from '../render/report.ts';
import type { Resolution } from '../rollout/rollback-target.ts';
import { type ActionIO, newReport } from './io.ts';
import { type ReportHeader, reportRollout } from './rollout-report.ts';
import { ActionFailure } from './run.ts';

/** The outcome in the summary, the log and the outputs; throws ActionFailure unless the rollback completed. */
export async function reportRollback(
  request: RollbackRequest,
  outcome: RollbackOutcome,
  io: ActionIO,
): Promise<void> {
  if (outcome.state === 'refused') {
    const report = newReport(io).heading('Rollback refused').paragraph(outcome.reason);
    await io.appendSummary((outcome.access ? accessReport(outcome.access, report) : report).text());
    throw new ActionFailure(`${outcome.reason}${outcome.access ? accessFix(outcome.access) : ''}`);
  }
  await io.appendSummary(accessReport(outcome.access, newReport(io)).text());
  const overridden = overriddenAccess(outcome.access);
  if (overridden) io.warning(overridden);
  const completed = await reportRollout(rollbackHeader(request, outcome.resolution), outcome.rollout, io);
  io.setOutput('image-tag', outcome.resolution.imageTag);
  io.setOutput('rolled-back-from', completed.previousImageTag);
}

/** What the rollout report says above a rollback's rollout: who, why, what was asked and how it was resolved. */
function rollbackHeader(request: RollbackRequest, resolution: Resolution): ReportHeader {
  return {
    title: 'Rollback',
    imageTag: resolution.imageTag,
    environmentName: request.environment,
    context: [
      { label: 'Who', value: request.who, code: true },
      { label: 'Why', value: request.why },
      { label: 'Requested target', value: request.target, code: true },
      {
        label: 'Resolved from',
        value:
          resolution.via === 'history'
            ? `deployment ${resolution.record?.id ?? ''} (${resolution.record?.createdAt ?? ''})`
            : 'registry tags',
      },
    ],
  };
}

/** The comparison's section of the summary. */
function accessReport(access: AccessComparison, report: Report): Report {
  report.heading('Access', 3);
  if (!access.compared) return report.paragraph(`Not compared: ${access.why}.`);
  if (!widens(access.widening))
    return report.paragraph('The target allows and serves nothing that what runs now does not.');
  return report
    .paragraph('The target would widen access:')
    .paragraph(describeWidening(access.widening).join('\n'));
}

/** The log line of an access comparison the operator overrode with allow-wider-access. */
function overriddenAccess(access: AccessComparison): string | undefined {
  if (!access.compared) {
    return `Access not compared: ${access.why}. Rolling back anyway (allowed by the operator); check what the target allows.`;
  }
  if (!widens(access.widening)) return undefined;
  return `Rolling back widens access (allowed by the operator):\n${describeWidening(access.widening).join('\n')}`;
}

/** The refusal's fix, when access stopped the rollback. */
function accessFix(access: AccessComparison): string {
  const lines = access.compared ? `\n${describeWidening(access.widening).join('\n')}` : '';
  return (
    `${lines}\nRoll back to another version, or run again with allow-wider-access: true and a reason that says why ` +
    '(a range revoked with break-glass stays denied by the network ACL whatever image runs).'
  );
}
