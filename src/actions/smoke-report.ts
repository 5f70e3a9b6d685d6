// A smoke run's outcome as the smoke action reports it: the JSON report file and the outputs, the job summary (every
// check, the failures and the curl command that repeats each check, and the target health gate when it decided),
// an error annotation per failed check, and the step's result.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SmokeOutcome, SmokeReport } from '../operations/smoke.ts';
import type { Report } from '../render/report.ts';
import { smokeRow } from '../smoke/report.ts';
import type { SmokeResult } from '../smoke-plan/checks.ts';
import { failedCheck } from '../smoke-plan/checks.ts';
import type { TargetGateVerdict } from '../smoke-plan/target-gate.ts';
import { type ActionIO, newReport } from './io.ts';
import { ActionFailure } from './run.ts';

const UNTESTED_WHY =
  'no answer at all: a security group dropping this source, or no task behind the load balancer';

/** Reports the outcome; returns the JSON report when the run passed, else throws ActionFailure. */
export async function reportSmoke(
  title: string,
  outcome: SmokeOutcome,
  reportFile: string,
  io: ActionIO,
): Promise<SmokeReport> {
  const { report } = outcome;
  await mkdir(dirname(reportFile), { recursive: true });
  await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
  io.setOutput('passed', report.passed);
  io.setOutput('failed', report.failed);
  io.setOutput('not-tested', report.notTested);
  io.setOutput('report-file', reportFile);
  await io.appendSummary(smokeReport(title, report, newReport(io)).text());
  for (const result of outcome.failures) {
    io.error(`${result.service}:${result.port} ${result.error ?? 'failed'}\nReproduce: ${result.curl}`, {
      title: `Smoke check failed: ${result.service}:${result.port}`,
    });
  }
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
  if (outcome.warning) io.warning(outcome.warning, { title: 'Refusal not tested' });
  return report;
}

/** The summary: a table of every check, the failures, per check its curl command, then the target health gate. */
export function smokeReport(title: string, smoke: SmokeReport, report: Report): Report {
  const { results, passed, notTested: untested } = smoke;
  const failures = results.filter(failedCheck);
  report
    .heading(report.escape(title), 3)
    .paragraph(
      `${passed} of ${results.length} checks passed${untested > 0 ? `, ${untested} not tested (${UNTESTED_WHY})` : ''}.`,
    )
    .table(['Service', 'Port', 'Expected', 'Result', 'Latency', 'Attempts', ''], results.map(smokeRow));
  if (failures.length > 0) {
    report
      .heading('Failures', 4)
      .list(
        failures.map(
          (f) => `${report.strong(`${f.service}:${f.port}`)}: ${report.escape(f.error ?? 'failed')}`,
        ),
      );
  }
  report.details('Reproduce a check with curl', curlCommands(results, report.fork()));
  return smoke.targetHealth ? targetHealthReport(smoke.targetHealth, report) : report;
}

function curlCommands(results: readonly SmokeResult[], report: Report): Report {
  for (const result of results)
    report.paragraph(`${result.service}:${result.port}`).codeBlock(result.curl, 'sh');
  return report;
}

function targetHealthReport(verdict: TargetGateVerdict, report: Report): Report {
  return report
    .heading('Target health (the refusal was not tested)', 4)
    .paragraph(verdict.ok ? '✅' : `❌ ${report.escape(verdict.problem ?? '')}`)
    .list(verdict.lines.map((line) => report.escape(line)));
}
