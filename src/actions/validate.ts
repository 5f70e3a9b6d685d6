// The validate action: the validate operation's findings as annotations on the offending lines and a summary, and
// on pull requests the plan of what merging would change.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative } from 'node:path';
import type { Diagnostic } from '../config/diagnostics.ts';
import { readConfigSources } from '../config/load.ts';
import { readSourcesAtRef } from '../diff/git.ts';
import { formatPlanMarkdown } from '../diff/markdown.ts';
import { systemClock } from '../operations/ports.ts';
import { validate } from '../operations/validate.ts';
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

export async function validateAction(settings: ValidateSettings, io: ActionIO): Promise<void> {
  const outcome = await validate(settings.baseRef ? { baseRef: settings.baseRef } : {}, {
    sources: () => readConfigSources(settings.configDir),
    sourcesAt: (ref) => readSourcesAtRef(ref, settings.configDir),
    clock: systemClock,
  });
  const sorted = outcome.diagnostics.map((d) => ({ ...d, file: repositoryPath(d.file, settings) }));
  for (const d of sorted) {
    const location = { file: d.file, line: d.line, column: d.column, title: d.code };
    const message = d.hint ? `${d.message}\nFix: ${d.hint}` : d.message;
    if (d.severity === 'error') io.error(message, location);
    else io.warning(message, location);
  }
  const { errors, warnings } = outcome;
  io.info(`${settings.configDir}: ${errors} error(s), ${warnings} warning(s)`);
  io.setOutput('errors', errors);
  io.setOutput('warnings', warnings);
  const planMarkdown = outcome.plan && formatPlanMarkdown(outcome.plan.change, outcome.plan.rendered);
  if (planMarkdown !== undefined && settings.planFile) {
    await mkdir(dirname(settings.planFile), { recursive: true });
    await writeFile(settings.planFile, planMarkdown);
    io.setOutput('plan-file', settings.planFile);
  }
  await io.appendSummary(summaryMarkdown(settings, sorted, planMarkdown));
  if (outcome.state === 'invalid') {
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
