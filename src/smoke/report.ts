// Smoke results as a terminal table (the CLI and `npm start`) and as Markdown (the job summary).
import type { SmokeResult } from './checks.ts';

const HEADINGS = ['service', 'port', 'expected', 'result', 'latency', 'attempts', ''] as const;

function row(result: SmokeResult): string[] {
  return [
    result.service,
    String(result.port),
    result.expectation === 'refused' ? 'refused' : String(result.expected),
    result.outcome,
    `${Math.round(result.latencyMs)} ms`,
    String(result.attempts),
    result.ok ? 'ok' : 'FAILED',
  ];
}

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
  for (const failed of results.filter((result) => !result.ok)) {
    lines.push('', `${failed.service}:${failed.port} ${failed.error ?? 'failed'}`, `  ${failed.curl}`);
  }
  return lines.join('\n');
}

function escapeCell(text: string): string {
  return text.replace(/[|\\`*_<>[\]]/g, '\\$&');
}

/** The job summary: a table of every check and, per check, the curl command that repeats it. */
export function formatSmokeMarkdown(results: SmokeResult[], title: string): string {
  const passed = results.filter((result) => result.ok).length;
  const lines = [
    `### ${escapeCell(title)}`,
    '',
    `${passed} of ${results.length} checks passed.`,
    '',
    '| Service | Port | Expected | Result | Latency | Attempts | |',
    '| --- | ---: | --- | --- | ---: | ---: | --- |',
    ...results.map((result) => `| ${row(result).map(escapeCell).join(' | ')} |`),
  ];
  const failures = results.filter((result) => !result.ok);
  if (failures.length > 0) {
    lines.push('', '#### Failures', '');
    for (const failed of failures)
      lines.push(`- **${failed.service}:${failed.port}**: ${escapeCell(failed.error ?? 'failed')}`);
  }
  lines.push('', '<details><summary>Reproduce a check with curl</summary>', '');
  for (const result of results)
    lines.push(`${result.service}:${result.port}`, '', '```sh', result.curl, '```', '');
  lines.push('</details>', '');
  return lines.join('\n');
}
