// The rule codes table of docs/configuration.md, generated from the rules' declarations so it cannot drift.
import type { Rule, RuleGroup } from './rule.ts';

const GROUP_HEADINGS: Record<RuleGroup, string> = {
  allowlist: 'Allowlist',
  services: 'Services',
  scaling: 'Scaling',
  deployment: 'Deployment',
  'cross-file': 'Across files',
};

/** One Markdown section per group, in registry order, one row per declared code; links are relative to docs/. */
export function codeTable(rules: readonly Rule[]): string {
  const groups = Object.keys(GROUP_HEADINGS) as RuleGroup[];
  return groups
    .map((group) => {
      const rows = rules
        .filter((rule) => rule.group === group)
        .flatMap((rule) =>
          Object.entries(rule.codes).map(
            ([code, { severity, summary }]) =>
              `| \`${code}\` | ${severity} | ${summary} | [${rule.name}](../src/config/rules/${group}/${rule.name}.ts) |`,
          ),
        );
      return [
        `#### ${GROUP_HEADINGS[group]}`,
        '',
        '| Code | Severity | What | Rule |',
        '| --- | --- | --- | --- |',
        ...rows,
      ].join('\n');
    })
    .join('\n\n');
}
