// The Markdown primitives of src/render/report.ts, for job summaries and pull-request comments. Cell text is
// escaped so values from AWS, config or a person typing a reason cannot break a table or become HTML.

/**
 * Text that renders literally in a table cell: no column break or HTML; a line break stays one. Code spans
 * (from code()) keep their text, which Markdown shows as written: only their pipes are escaped, as tables need.
 */
export function escapeCell(text: string): string {
  return text
    .split(/(``[\s\S]*?``|`[^`]*`)/)
    .map((part, index) => (index % 2 === 1 ? part.replace(/\|/g, '\\|') : escapeCellText(part)))
    .join('');
}

function escapeCellText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)
    .replace(/\r?\n/g, '<br>');
}

/**
 * Text that renders literally in a paragraph: characters that would start emphasis, a link, code, HTML or an
 * entity are backslash-escaped (CommonMark renders an escaped punctuation character as itself); a line break
 * becomes a space.
 */
export function escapeText(text: string): string {
  return text.replace(/[\\`*_[\]<>&!|~#]/g, '\\$&').replace(/\r?\n/g, ' ');
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Inline code that survives backticks in the value. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text}${fence}`;
}

export function details(summary: string, body: string, options: { open?: boolean } = {}): string {
  return `<details${options.open ? ' open' : ''}><summary>${summary}</summary>\n\n${body}\n\n</details>\n`;
}

/** A fenced block whose fence is longer than any backtick run inside. */
export function fenced(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}
