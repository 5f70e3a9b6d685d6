// Smoke results as a terminal table (the CLI and `npm start`) and as Markdown (the job summary).
import { details, escapeCell, fenced, table } from '../render/markdown.ts';
import type { SmokeResult } from '../smoke-plan/checks.ts';

const HEADINGS = ['service', 'port', 'expected', 'result', 'latency', 'attempts', ''] as const;

function row(result: SmokeResult): string[] {
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

const failed = (result: SmokeResult) => !result.ok && !result.untested;

/** An aligned plain-text table, then the error and the reproducing curl command of each failed check. */
export function formatSmokeTable(results: SmokeResult[]): string {
  const rows = [[...HEADINGS], ...results.map(row)];
  const widths = HEADINGS.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length)));
  const lines = rows.map((cells) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  for (const failure of results.filter(failed)) {
    lines.push('', `${failure.service}:${failure.port} ${failure.error ?? 'failed'}`, `  ${failure.curl}`);
  }
  return lines.join('\n');
}

/** The job summary: a table of every check, the failures, and per check the curl command that repeats it. */
export function formatSmokeMarkdown(results: SmokeResult[], title: string): string {
  const passed = results.filter((result) => result.ok).length;
  const untested = results.filter((result) => result.untested).length;
  const failures = results.filter(failed);
  const commands = results.map(
    (result) => `${result.service}:${result.port}\n\n${fenced(result.curl, 'sh')}`,
  );
  return [
    `### ${escapeCell(title)}`,
    '',
    `${passed} of ${results.length} checks passed${untested > 0 ? `, ${untested} not tested (no answer at all: a security group dropping this source, or no task behind the load balancer)` : ''}.`,
    '',
    table(['Service', 'Port', 'Expected', 'Result', 'Latency', 'Attempts', ''], results.map(row)),
    '',
    ...(failures.length > 0
      ? [
          '#### Failures',
          '',
          ...failures.map((f) => `- **${f.service}:${f.port}**: ${escapeCell(f.error ?? 'failed')}`),
          '',
        ]
      : []),
    details('Reproduce a check with curl', commands.join('\n\n')),
  ].join('\n');
}
