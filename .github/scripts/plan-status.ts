// First section of the pull request plan: did the configuration validate?
// Usage (pr.yml): VALIDATE_OUTCOME, ERRORS, WARNINGS in the environment; plan-status.ts --out FILE
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { isEntryPoint } from './entry.ts';

export interface ValidationResult {
  /** steps.<id>.outcome of the validate step: success, failure, cancelled or skipped. */
  outcome: string;
  errors: number;
  warnings: number;
}

export function validationStatus({ outcome, errors, warnings }: ValidationResult): string {
  const warned = warnings > 0 ? ` with ${warnings} warning(s)` : '';
  if (outcome === 'success') return `**Validation passed**${warned}.`;
  if (outcome === 'failure' && errors > 0) {
    return `**Validation failed: ${errors} error(s)**${warned}. Each one is annotated on its line under *Files changed*; nothing below is deployed until they are fixed.`;
  }
  return `**Validation did not complete** (${outcome || 'not run'}). Open the run's *Validate and plan* job log.`;
}

function count(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('--out FILE is required');
  mkdirSync(dirname(values.out), { recursive: true });
  const status = validationStatus({
    outcome: process.env.VALIDATE_OUTCOME ?? '',
    errors: count(process.env.ERRORS),
    warnings: count(process.env.WARNINGS),
  });
  writeFileSync(values.out, `${status}\n`);
}
