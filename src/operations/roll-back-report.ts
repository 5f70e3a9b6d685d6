// A rollback's outcome in words: the access comparison's section of the report, the line when the operator overrode
// it, the fix when it refused, and the header of the rollout that followed.
import { type AccessComparison, describeWidening, widens } from '../access/rollback-access.ts';
import type { Report } from '../render/report.ts';
import type { Resolution } from '../rollout/rollback-target.ts';
import type { RollbackRequest } from './roll-back.ts';
import type { ReportHeader } from './roll-out-report.ts';

/** What the rollout report says above a rollback's rollout: who, why, what was asked and how it was resolved. */
export function rollbackHeader(request: RollbackRequest, resolution: Resolution): ReportHeader {
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
export function accessReport(access: AccessComparison, report: Report): Report {
  report.heading('Access', 3);
  if (!access.compared) return report.paragraph(`Not compared: ${access.why}.`);
  if (!widens(access.widening))
    return report.paragraph('The target allows and serves nothing that what runs now does not.');
  return report
    .paragraph('The target would widen access:')
    .paragraph(describeWidening(access.widening).join('\n'));
}

/** The log line of an access comparison the operator overrode with allow-wider-access. */
export function overriddenAccess(access: AccessComparison): string | undefined {
  if (!access.compared) {
    return `Access not compared: ${access.why}. Rolling back anyway (allowed by the operator); check what the target allows.`;
  }
  if (!widens(access.widening)) return undefined;
  return `Rolling back widens access (allowed by the operator):\n${describeWidening(access.widening).join('\n')}`;
}

/** The refusal's fix, when access stopped the rollback. */
export function accessFix(access: AccessComparison): string {
  const lines = access.compared ? `\n${describeWidening(access.widening).join('\n')}` : '';
  return (
    `${lines}\nRoll back to another version, or run again with allow-wider-access: true and a reason that says why ` +
    '(a range revoked with break-glass stays denied by the network ACL whatever image runs).'
  );
}
