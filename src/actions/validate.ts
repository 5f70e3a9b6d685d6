// The validate action: its inputs become a request to the validate operation, its findings and, on pull requests,
// the plan of what merging would change the step's report (validate-report.ts).
import { type ValidatePorts, validate } from '../operations/validate.ts';
import type { RunContext } from './context.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { reportValidate } from './validate-report.ts';

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

/** `ports` reads the configuration of settings.configDir (validate-adapters.ts in the action). */
export async function validateAction(
  settings: ValidateSettings,
  io: ActionIO,
  ports: ValidatePorts,
): Promise<void> {
  const outcome = await validate(settings.baseRef ? { baseRef: settings.baseRef } : {}, ports);
  await reportValidate(settings, outcome, io);
}
