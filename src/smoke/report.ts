// Smoke results as a terminal table (the CLI, `npm start` and the smoke action's log).
import { Report } from '../render/report.ts';
import { failedCheck, type SmokeResult } from '../smoke-plan/checks.ts';

/** One row per check: the cells of a table, in the terminal and in the job summary. */
export function smokeRow(result: SmokeResult): string[] {
  return [
    result.service,
    String(result.port),
    result.expectation === 'refused' ? 'refused' : String(result.expected),
    result.outcome,
    `${Math.round(result.latencyMs)} ms`,
    String(result.attempts),
    result.ok ? 'ok' : result.untested ? 'not tested' : 'FAILED',
  ];
}

/** An aligned plain-text table, then the error and the reproducing curl command of each failed check. */
export function formatSmokeTable(results: SmokeResult[]): string {
  const report = new Report('terminal').table(
    ['service', 'port', 'expected', 'result', 'latency', 'attempts', ''],
    results.map(smokeRow),
  );
  for (const failure of results.filter(failedCheck)) {
    report.paragraph(`${failure.service}:${failure.port} ${failure.error ?? 'failed'}\n  ${failure.curl}`);
  }
  return report.text().trimEnd();
}
