// Checks that need more than one value: CIDR form and overlaps, expiry, uniqueness, cross-file references.
import type { Diagnostic } from './diagnostics.ts';
import type { ParseResult } from './load.ts';
import type { Config } from './model.ts';

export function checkRules(config: Config, files: ParseResult['files'], now: Date): Diagnostic[] {
  void config;
  void files;
  void now;
  return [];
}
