// Edits to allowlist.yaml made by the tool itself (removing expired entries, narrowing a revoked range), as text:
// every byte the edit does not concern — comments, order, formatting — stays as the people who wrote it left it.
import type { AllowlistEntry } from '../config/model.ts';
import { keyNodeAt, nodeAt, positionOf, type YamlSource } from '../config/yaml-source.ts';

const COMMENT_OR_BLANK = /^\s*(#|$)/;
const indentOf = (line: string) => line.search(/\S/);

/** Lines of one entry, and the comment lines directly above it at its indentation (they describe it). */
function entryLines(source: YamlSource, lines: readonly string[], index: number) {
  const first = positionOf(source, nodeAt(source, ['entries', index]).offset).line - 1;
  const dash = lines[first]?.match(/^(\s*)-\s/);
  if (!dash) {
    throw new Error(
      `allowlist.yaml: entry ${index + 1} does not start its own line ("- cidr: ..."); edit it by hand`,
    );
  }
  const indent = (dash[1] as string).length;
  let last = first;
  for (let line = first + 1; line < lines.length; line++) {
    const text = lines[line] as string;
    if (COMMENT_OR_BLANK.test(text)) continue;
    if (indentOf(text) <= indent) break;
    last = line;
  }
  let top = first;
  while (top > 0 && /^\s*#/.test(lines[top - 1] as string) && indentOf(lines[top - 1] as string) === indent)
    top--;
  return { top, first, last, indent };
}

/** YAML lines of an entry, at the list's indentation. Entry values passed the config model: plain scalars. */
function entryText(entry: AllowlistEntry, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const fields = Object.entries(entry).map(([key, value]) => `${key}: ${value}`);
  return fields.map((field, i) => `${pad}${i === 0 ? '- ' : '  '}${field}`);
}

/**
 * allowlist.yaml with each entry at an index of `replace` swapped for the entries given (none: the entry and its
 * comments go). Refuses a flow-style list (`entries: [...]`), where entries do not own whole lines.
 */
export function replaceEntries(
  source: YamlSource,
  replace: ReadonlyMap<number, readonly AllowlistEntry[]>,
): string {
  if (replace.size === 0) return source.text;
  const lines = source.text.split('\n');
  const spans = [...replace.keys()]
    .map((index) => ({ index, ...entryLines(source, lines, index) }))
    .sort((a, b) => b.first - a.first);
  const remaining = (nodeAt(source, ['entries']).value as unknown[]).length;
  const added = [...replace.values()].reduce((sum, entries) => sum + entries.length, 0);
  // Bottom up, so earlier line numbers stay valid.
  for (const span of spans) {
    const replacement = (replace.get(span.index) ?? []).flatMap((entry) => entryText(entry, span.indent));
    const from = replacement.length === 0 ? span.top : span.first;
    lines.splice(from, span.last - from + 1, ...replacement);
  }
  if (remaining - replace.size + added === 0) {
    // An empty block list would read as null: say "no entries" explicitly.
    const key = keyNodeAt(source, [], 'entries');
    if (key) {
      const line = positionOf(source, key.offset).line - 1;
      lines[line] = (lines[line] as string).replace(/entries:\s*$/, 'entries: []');
    }
  }
  return lines.join('\n');
}
