// The plan as Markdown for a pull-request comment or job summary. Tables go through src/render/markdown.ts, which
// escapes their cells like every other report's.
import { table } from '../render/markdown.ts';
import {
  type AllowlistChange,
  BROAD_PREFIX,
  type ConfigPlan,
  type FieldChange,
  hasChanges,
  type NamedChange,
} from './plan.ts';
import type { RenderedDiff } from './rendered.ts';

/** Rows per table; GitHub comments are limited to 65,536 characters. */
export const MAX_ROWS = 100;
/** Characters of rendered diff per environment. */
export const MAX_DIFF_CHARS = 20_000;

const ALLOWLIST_LABEL: Record<AllowlistChange['kind'], string> = {
  added: '➕ added',
  removed: '➖ removed',
  widened: '↔️ widened',
  narrowed: '↕️ narrowed',
  changed: '✏️ changed',
};

export function formatPlanMarkdown(plan: ConfigPlan, rendered?: readonly RenderedDiff[]): string {
  const sections = [
    '## Configuration change',
    '',
    hasChanges(plan) ? summaryLine(plan) : 'No change to the allowlist, services, scaling or environments.',
    ...allowlistSection(plan),
    ...accessSection(plan),
    ...namedSection('Services', 'Service', plan.services),
    ...fieldSection('Scaling', plan.scaling),
    ...namedSection('Environments', 'Environment', plan.environments),
    ...networkSection(plan),
    ...(rendered ? renderedSection(rendered) : []),
  ];
  return `${sections.join('\n')}\n`;
}

function summaryLine(plan: ConfigPlan): string {
  const count = (kind: AllowlistChange['kind']) => plan.allowlist.filter((c) => c.kind === kind).length;
  const parts = (['added', 'removed', 'widened', 'narrowed', 'changed'] as const)
    .filter((kind) => count(kind) > 0)
    .map((kind) => `${count(kind)} ${kind}`);
  return [
    `**Allowlist:** ${parts.join(', ') || 'unchanged'}`,
    `**Services:** ${countNamed(plan.services)}`,
    `**Scaling:** ${plan.scaling.length ? plan.scaling.map((c) => c.field).join(', ') : 'unchanged'}`,
    `**Environments:** ${countNamed(plan.environments)}`,
  ].join(' · ');
}

function countNamed(changes: readonly NamedChange[]): string {
  if (changes.length === 0) return 'unchanged';
  return (['added', 'removed', 'changed'] as const)
    .map((kind) => [kind, changes.filter((c) => c.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
}

function allowlistSection(plan: ConfigPlan): string[] {
  if (plan.allowlist.length === 0 && !plan.allowAnyAddress) return [];
  const lines = ['', '### Allowlist', ''];
  if (plan.allowAnyAddress) {
    lines.push(
      `> [!CAUTION]\n> allowAnyAddress: ${value(plan.allowAnyAddress.before)} → ${value(plan.allowAnyAddress.after)}` +
        (plan.allowAnyAddress.after === true ? ' (0.0.0.0/0 and ::/0 are now accepted: an open proxy)' : ''),
      '',
    );
  }
  const broad = plan.allowlist.filter((c) => c.broad);
  if (broad.length > 0) {
    lines.push(
      `> [!WARNING]\n> ${broad.length} broad ${broad.length === 1 ? 'range' : 'ranges'} (shorter than /${BROAD_PREFIX[4]} IPv4 or /${BROAD_PREFIX[6]} IPv6): ` +
        broad.map((c) => code(c.cidr)).join(', '),
      '',
    );
  }
  const rows = plan.allowlist.slice(0, MAX_ROWS).map((change) => {
    const cidr = change.previous ? `${code(change.previous)} → ${code(change.cidr)}` : code(change.cidr);
    const details = change.details
      .map((d) => `${d.field}: ${value(d.before)} → ${value(d.after)}`)
      .join('; ');
    const label = `${ALLOWLIST_LABEL[change.kind]}${change.broad ? ' ⚠️ broad' : ''}`;
    return [label, cidr, details || change.description, change.expires ?? '—'];
  });
  lines.push(table(['Change', 'CIDR', 'Description', 'Expires'], rows), ...more(plan.allowlist.length));
  return lines;
}

function networkSection(plan: ConfigPlan): string[] {
  if (plan.networks.length === 0) return [];
  const lines = [
    '',
    '### Service networks',
    '',
    '| Change | Environment | Network | Through |',
    '| --- | --- | --- | --- |',
  ];
  for (const change of plan.networks.slice(0, MAX_ROWS)) {
    lines.push(`| ${change.kind} | ${code(change.environment)} | ${code(change.network)} | ${change.via} |`);
  }
  lines.push(...more(plan.networks.length));
  return lines;
}

function accessSection(plan: ConfigPlan): string[] {
  if (plan.access.length === 0) return [];
  const lines = ['', '### Access per service', ''];
  for (const change of plan.access.slice(0, MAX_ROWS)) {
    const parts = [
      ...(change.gained.length ? [`may now reach ${change.gained.join(', ')}`] : []),
      ...(change.lost.length ? [`may no longer reach ${change.lost.join(', ')}`] : []),
    ];
    lines.push(`- ${code(change.cidr)} ${parts.join('; ')}`);
  }
  lines.push(...more(plan.access.length));
  return lines;
}

function namedSection(title: string, column: string, changes: readonly NamedChange[]): string[] {
  if (changes.length === 0) return [];
  const rows = changes.slice(0, MAX_ROWS).map((change) => {
    const details = change.fields
      .map((f) =>
        change.kind === 'changed'
          ? `${f.field}: ${value(f.before)} → ${value(f.after)}`
          : `${f.field}: ${value(change.kind === 'added' ? f.after : f.before)}`,
      )
      .join('\n');
    return [change.kind, code(change.name), details];
  });
  return ['', `### ${title}`, '', table(['Change', column, 'Details'], rows), ...more(changes.length)];
}

function fieldSection(title: string, changes: readonly FieldChange[]): string[] {
  if (changes.length === 0) return [];
  return [
    '',
    `### ${title}`,
    '',
    table(
      ['Setting', 'Before', 'After'],
      changes.map((c) => [c.field, value(c.before), value(c.after)]),
    ),
  ];
}

function renderedSection(rendered: readonly RenderedDiff[]): string[] {
  const lines = ['', '### Rendered NGINX configuration', ''];
  for (const env of rendered) {
    if (env.files.length === 0 && !env.note) {
      lines.push(`- ${code(env.environment)}: unchanged`);
      continue;
    }
    const files = env.files.map((f) => f.name).join(', ');
    lines.push(`<details><summary>${env.environment}: ${files || 'no file'} changed</summary>`, '');
    if (env.note) lines.push(`_Note: ${env.note}._`, '');
    let text = env.files.map((f) => f.diff).join('');
    if (text.length > MAX_DIFF_CHARS) {
      text = `${text.slice(0, text.lastIndexOf('\n', MAX_DIFF_CHARS) + 1)}… (cut at ${MAX_DIFF_CHARS} characters; run lattice-ingress diff locally for all of it)\n`;
    }
    // A fence longer than any run of backticks in the text, so the text cannot end the code block.
    const fence = '`'.repeat(Math.max(3, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    if (text) lines.push(`${fence}diff`, text.trimEnd(), fence, '');
    lines.push('</details>', '');
  }
  return lines;
}

function more(total: number): string[] {
  return total > MAX_ROWS ? ['', `… and ${total - MAX_ROWS} more`] : [];
}

function code(text: string): string {
  return `\`${text}\``;
}

function value(v: unknown): string {
  if (v === undefined) return '—';
  if (typeof v === 'string') return code(v);
  return code(JSON.stringify(v));
}
