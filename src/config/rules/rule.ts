// What a rule is: a pure check over the schema-valid parts of the config that declares, up front, every code it may
// report with its severity and a one-line summary. The declaration is the registry: docs/configuration.md's code
// table is generated from it, and `report` accepts only declared codes, so a rule cannot emit an undocumented code.
import type { CodeDeclaration, Severity } from '../diagnostics.ts';
import type { ValuePath } from '../locate.ts';
import type { Config, ConfigPart } from '../model.ts';
import type { RuleContext } from './context.ts';

/** Where a rule is filed: the config file it judges, or cross-file when it compares two files. */
export type RuleGroup = ConfigPart | 'cross-file';

/** Where a finding points: a value, or with key the key of the mapping at path (e.g. `allowAnyAddress:`). */
export interface FindingLocation {
  part: ConfigPart;
  path: ValuePath;
  key?: string;
}

export interface Finding extends FindingLocation {
  severity: Severity;
  code: string;
  message: string;
  hint?: string;
}

export type Report<Code extends string> = (
  code: Code,
  at: FindingLocation,
  message: string,
  hint?: string,
) => void;

export interface RuleDefinition<Code extends string, Reads extends ConfigPart> {
  /** The rule's file name under src/config/rules/<group>/. */
  name: string;
  group: RuleGroup;
  /** The files the rule needs; it runs only when all of them passed their schema. */
  reads: readonly Reads[];
  codes: Readonly<Record<Code, CodeDeclaration>>;
  check(config: Pick<Config, Reads>, context: RuleContext, report: Report<Code>): void;
}

export interface Rule {
  name: string;
  group: RuleGroup;
  reads: readonly ConfigPart[];
  codes: Readonly<Record<string, CodeDeclaration>>;
  run(config: Partial<Config>, context: RuleContext): Finding[];
}

export function defineRule<Code extends string, Reads extends ConfigPart>(
  definition: RuleDefinition<Code, Reads>,
): Rule {
  const { name, group, reads, codes, check } = definition;
  return {
    name,
    group,
    reads,
    codes,
    run(config, context) {
      if (!reads.every((part) => config[part] !== undefined)) return [];
      const findings: Finding[] = [];
      check(config as Pick<Config, Reads>, context, (code, at, message, hint) => {
        findings.push({ ...at, severity: codes[code].severity, code, message, hint });
      });
      return findings;
    },
  };
}
