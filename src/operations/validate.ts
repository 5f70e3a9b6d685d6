// Validation as a use case: the configuration's findings and, when a base commit is given, the plan of what merging
// would change against it (the base only has to parse: an entry that expired since must still show as removed).
// Both are judged on the clock's day.
import { type Diagnostic, sortDiagnostics } from '../config/diagnostics.ts';
import { type ConfigSources, parseConfig } from '../config/load.ts';
import type { Config } from '../config/model.ts';
import { type ConfigPlan, planChange } from '../diff/plan.ts';
import { type RenderedDiff, renderedDiffs } from '../diff/rendered.ts';
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
  plan?: { change: ConfigPlan; rendered: RenderedDiff[] };
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
  return { ...outcome, plan: await planAgainst(config, request.baseRef, ports, now) };
}

async function planAgainst(head: Config, baseRef: string, ports: ValidatePorts, now: Date) {
  const base = parseConfig(await ports.sourcesAt(baseRef), { now });
  return { change: planChange(base.parts, head), rendered: renderedDiffs(base.parts, head) };
}
