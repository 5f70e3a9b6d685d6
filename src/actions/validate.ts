// The validate action: check config/, annotate offending lines, summarise, and on pull requests show the plan.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import { type Diagnostic, sortDiagnostics } from '../config/diagnostics.ts';
import { loadConfig, parseConfig } from '../config/load.ts';
import type { Config } from '../config/model.ts';
import { readSourcesAtRef } from '../diff/git.ts';
import { formatPlanMarkdown } from '../diff/markdown.ts';
import { planChange } from '../diff/plan.ts';
import { renderedDiffs } from '../diff/rendered.ts';
import { code, table } from '../render/markdown.ts';
import type { RunContext } from './context.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export interface ValidateSettings {
  configDir: string;
  /** Git ref to compare against (pull requests). */
  baseRef?: string;
  planFile?: string;
  /** Repository root, so annotation paths match the files in the pull request. */
  workspace: string;
}

/** base-ref defaults to the pull request's base commit on pull_request events. */
export function readValidateSettings(io: ActionIO, run: RunContext): ValidateSettings {
  const inputs = new InputReader(io);
  const settings: ValidateSettings = {
    configDir: inputs.optional('config-dir') ?? 'config',
    workspace: run.workspace,
  };
  const baseRef = inputs.optional('base-ref') ?? run.pullRequestBaseSha;
  if (baseRef) settings.baseRef = baseRef;
  const planFile = inputs.optional('plan-file');
  if (planFile) settings.planFile = planFile;
  inputs.done();
  return settings;
}

/** Produces the Markdown plan of what merging would change, compared with baseRef. */
export type PlanSource = (head: Config, configDir: string, baseRef: string) => Promise<string>;

/** The plan from git: the base only has to parse (an entry that expired since must still show as removed). */
export const gitPlan: PlanSource = async (head, configDir, baseRef) => {
  const base = parseConfig(await readSourcesAtRef(baseRef, configDir), { now: new Date() });
  return formatPlanMarkdown(planChange(base.parts, head), renderedDiffs(base.parts, head));
};

export async function validateAction(
  settings: ValidateSettings,
  io: ActionIO,
  plan: PlanSource = gitPlan,
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
  if (config && settings.baseRef) {
    planMarkdown = await plan(config, settings.configDir, settings.baseRef);
    if (settings.planFile) {
      await mkdir(dirname(settings.planFile), { recursive: true });
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
  if (plan !== undefined) parts.push(plan);
  return `${parts.join('\n')}\n`;
}
