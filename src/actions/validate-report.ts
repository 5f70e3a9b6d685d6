// A validate outcome as the validate action reports it: an annotation on the line of each finding, the outputs, the
// plan file of a pull request, the job summary (the findings and the plan) and the step's result.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import type { Diagnostic } from '../config/diagnostics.ts';
import { formatPlanMarkdown } from '../diff/markdown.ts';
import type { ValidateOutcome } from '../operations/validate.ts';
import type { Report } from '../render/report.ts';
import { type ActionIO, newReport } from './io.ts';
import { ActionFailure } from './run.ts';

/** Where the findings are reported: paths relative to the workspace, so annotations land in the pull request. */
export interface ValidateTarget {
  configDir: string;
  workspace: string;
  planFile?: string;
}

/** Resolves when the configuration is valid, else throws ActionFailure. */
export async function reportValidate(
  target: ValidateTarget,
  outcome: ValidateOutcome,
  io: ActionIO,
): Promise<void> {
  const diagnostics = outcome.diagnostics.map((d) => ({
    ...d,
    file: repositoryPath(d.file, target.workspace),
  }));
  for (const d of diagnostics) {
    const location = { file: d.file, line: d.line, column: d.column, title: d.code };
    const message = d.hint ? `${d.message}\nFix: ${d.hint}` : d.message;
    if (d.severity === 'error') io.error(message, location);
    else io.warning(message, location);
  }
  const { errors, warnings } = outcome;
  io.info(`${target.configDir}: ${errors} error(s), ${warnings} warning(s)`);
  io.setOutput('errors', errors);
  io.setOutput('warnings', warnings);
  const plan = outcome.plan && formatPlanMarkdown(outcome.plan.change, outcome.plan.rendered);
  if (plan !== undefined && target.planFile) {
    await mkdir(dirname(target.planFile), { recursive: true });
    await writeFile(target.planFile, plan);
    io.setOutput('plan-file', target.planFile);
  }
  await io.appendSummary(
    validateReport(target.configDir, diagnostics, { errors, warnings }, plan, newReport(io)).text(),
  );
  if (outcome.state === 'invalid') {
    throw new ActionFailure(
      `${target.configDir} has ${errors} error(s); each is annotated on its line and listed in the job summary`,
    );
  }
}

function repositoryPath(file: string, workspace: string): string {
  return isAbsolute(file) ? relative(workspace, file) : file;
}

/** The findings as a table under a verdict, then the plan's Markdown (src/diff/markdown.ts) when there is one. */
function validateReport(
  configDir: string,
  diagnostics: readonly Diagnostic[],
  { errors, warnings }: { errors: number; warnings: number },
  plan: string | undefined,
  report: Report,
): Report {
  const status =
    errors > 0
      ? `❌ ${errors} error(s), ${warnings} warning(s): nothing can be deployed until the errors are fixed.`
      : warnings > 0
        ? `⚠️ valid, with ${warnings} warning(s).`
        : '✅ valid, no findings.';
  report.heading(`Configuration check: ${report.code(configDir)}`).paragraph(status);
  if (diagnostics.length > 0) {
    report.table(
      ['Where', 'Severity', 'Problem', 'How to fix', 'Rule'],
      diagnostics.map((d) => [
        `${d.file}:${d.line}:${d.column}`,
        d.severity,
        d.message,
        d.hint ?? '',
        d.code,
      ]),
    );
  }
  return plan === undefined ? report : report.paragraph(plan.trimEnd());
}
