// The validate action: check config/, annotate offending lines, summarise, and on pull requests show the plan.
import { writeFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { type Diagnostic, sortDiagnostics } from '../config/diagnostics.ts';
import { loadConfig } from '../config/load.ts';
import type { ActionIO } from './io.ts';
import { code, table } from './markdown.ts';
import { ActionFailure } from './run.ts';
import { InputReader } from './settings.ts';

export interface ValidateSettings {
  configDir: string;
  /** Git ref to compare against (pull requests). */
  baseRef?: string;
  planFile?: string;
  /** Repository root, so annotation paths match the files in the pull request. */
  workspace: string;
}

export function readValidateSettings(io: ActionIO, workspace: string): ValidateSettings {
  const inputs = new InputReader(io);
  const settings: ValidateSettings = {
    configDir: inputs.optional('config-dir') ?? 'config',
    workspace,
  };
  const baseRef = inputs.optional('base-ref');
  if (baseRef) settings.baseRef = baseRef;
  const planFile = inputs.optional('plan-file');
  if (planFile) settings.planFile = planFile;
  inputs.done();
  return settings;
}

/** Produces the Markdown plan of what merging would change, compared with baseRef. */
export type PlanSource = (configDir: string, baseRef: string) => Promise<string>;

export async function validateAction(
  settings: ValidateSettings,
  io: ActionIO,
  plan?: PlanSource,
): Promise<void> {
  const { config, diagnostics } = await loadConfig(settings.configDir);
  const sorted = sortDiagnostics(diagnostics).map((d) => ({ ...d, file: repositoryPath(d.file, settings) }));
  for (const d of sorted) {
    const location = { file: d.file, line: d.line, column: d.column, title: d.code };
    const message = d.hint ? `${d.message}\nFix: ${d.hint}` : d.message;
    if (d.severity === 'error') io.error(message, location);
    else io.warning(message, location);
  }
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const warnings = sorted.length - errors;
  io.info(`${settings.configDir}: ${errors} error(s), ${warnings} warning(s)`);
  io.setOutput('errors', errors);
  io.setOutput('warnings', warnings);

  let planMarkdown: string | undefined;
  if (config && settings.baseRef && plan) {
    planMarkdown = await plan(settings.configDir, settings.baseRef);
    if (settings.planFile) {
      await writeFile(settings.planFile, planMarkdown);
      io.setOutput('plan-file', settings.planFile);
    }
  }
  await io.appendSummary(summaryMarkdown(settings, sorted, planMarkdown));
  if (errors > 0) {
    throw new ActionFailure(
      `${settings.configDir} has ${errors} error(s); each is annotated on its line and listed in the job summary`,
    );
  }
}

function repositoryPath(file: string, settings: ValidateSettings): string {
  return isAbsolute(file) ? relative(settings.workspace, file) : file;
}

export function summaryMarkdown(
  settings: ValidateSettings,
  diagnostics: Diagnostic[],
  plan?: string,
): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.length - errors;
  const status =
    errors > 0
      ? `❌ ${errors} error(s), ${warnings} warning(s): nothing can be deployed until the errors are fixed.`
      : warnings > 0
        ? `⚠️ valid, with ${warnings} warning(s).`
        : '✅ valid, no findings.';
  const parts = [`## Configuration check: ${code(settings.configDir)}`, '', status, ''];
  if (diagnostics.length > 0) {
    parts.push(
      table(
        ['Where', 'Severity', 'Problem', 'How to fix', 'Rule'],
        diagnostics.map((d) => [
          `${d.file}:${d.line}:${d.column}`,
          d.severity,
          d.message,
          d.hint ?? '',
          d.code,
        ]),
      ),
      '',
    );
  }
  if (plan !== undefined) parts.push(`## Changes against ${code(settings.baseRef ?? '')}`, '', plan, '');
  return `${parts.join('\n')}\n`;
}
