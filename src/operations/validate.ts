// Validation as a use case: the configuration's findings and, when a base commit is given, the plan of what merging
// would change against it (the base only has to parse: an entry that expired since must still show as removed).
// The findings are judged on the clock's day.
import { type Diagnostic, sortDiagnostics } from '../config/diagnostics.ts';
import { type ConfigSources, parseConfig, parseConfigParts } from '../config/load.ts';
import { type MergePlan, planMerge } from '../diff/merge-plan.ts';
import type { Clock } from './ports.ts';

export interface ValidatePorts {
  /** The configuration files as they are in the working tree. */
  sources(): Promise<ConfigSources>;
  /** The configuration files at a git ref. */
  sourcesAt(ref: string): Promise<ConfigSources>;
  clock: Pick<Clock, 'now'>;
}

export interface ValidateRequest {
  /** Git ref to compare against (a pull request's base). */
  baseRef?: string;
}

export interface ValidateOutcome {
  state: 'valid' | 'invalid';
  /** Errors first, then warnings, each in file order. */
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
  /** What merging would change, when a base ref was given and the configuration is valid. */
  plan?: MergePlan;
}

export async function validate(request: ValidateRequest, ports: ValidatePorts): Promise<ValidateOutcome> {
  const now = ports.clock.now();
  const { config, diagnostics } = parseConfig(await ports.sources(), { now });
  const sorted = sortDiagnostics(diagnostics);
  const errors = sorted.filter((d) => d.severity === 'error').length;
  const outcome: ValidateOutcome = {
    state: errors > 0 ? 'invalid' : 'valid',
    diagnostics: sorted,
    errors,
    warnings: sorted.length - errors,
  };
  if (!config || !request.baseRef) return outcome;
  return { ...outcome, plan: planMerge(parseConfigParts(await ports.sourcesAt(request.baseRef)), config) };
}
