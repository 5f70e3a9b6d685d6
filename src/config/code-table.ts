// The code tables of docs/configuration.md, generated from the declarations (the loader's codes and each rule's) so
// they cannot drift from what the code reports.
import type { CodeDeclaration } from './diagnostics.ts';
import type { Rule, RuleGroup } from './rules/rule.ts';

const GROUP_HEADINGS: Record<RuleGroup, string> = {
  allowlist: 'Allowlist',
  services: 'Services',
  scaling: 'Scaling',
  deployment: 'Deployment',
  'cross-file': 'Across files',
};

const row = (code: string, { severity, summary }: CodeDeclaration, ...more: string[]) =>
  ['', `\`${code}\``, severity, summary, ...more, ''].join(' | ').trim();

/** The loader's codes: one row per code, in declaration order. */
export function loadCodeTable(codes: Readonly<Record<string, CodeDeclaration>>): string {
  return [
    '| Code | Severity | What |',
    '| --- | --- | --- |',
    ...Object.entries(codes).map(([code, declaration]) => row(code, declaration)),
  ].join('\n');
}

/** One Markdown section per rule group, in registry order, one row per declared code; links are relative to docs/. */
export function ruleCodeTable(rules: readonly Rule[]): string {
  const groups = Object.keys(GROUP_HEADINGS) as RuleGroup[];
  return groups
    .map((group) =>
      [
        `#### ${GROUP_HEADINGS[group]}`,
        '',
        '| Code | Severity | What | Rule |',
        '| --- | --- | --- | --- |',
        ...rules
          .filter((rule) => rule.group === group)
          .flatMap((rule) =>
            Object.entries(rule.codes).map(([code, declaration]) =>
              row(code, declaration, `[${rule.name}](../src/config/rules/${group}/${rule.name}.ts)`),
            ),
          ),
      ].join('\n'),
    )
    .join('\n\n');
}
