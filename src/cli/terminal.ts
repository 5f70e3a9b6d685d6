// Output for a person at a terminal: aligned tables instead of Markdown, colour only on a TTY and only when
// NO_COLOR is unset (https://no-color.org). The same rows feed the job summaries' Markdown tables.

export interface Style {
  bold(text: string): string;
  ok(text: string): string;
  warn(text: string): string;
  fail(text: string): string;
  dim(text: string): string;
}

const sgr = (code: number) => (text: string) => `\u001b[${code}m${text}\u001b[0m`;
const plain = (text: string) => text;

export const COLOUR: Style = { bold: sgr(1), ok: sgr(32), warn: sgr(33), fail: sgr(31), dim: sgr(2) };
export const NO_COLOUR: Style = { bold: plain, ok: plain, warn: plain, fail: plain, dim: plain };

/** Colour when writing to a terminal and the user has not asked for none. */
export function styleFor(
  stream: { isTTY?: boolean } = process.stdout,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Style {
  return stream.isTTY && !env.NO_COLOR ? COLOUR : NO_COLOUR;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the escape sequences this module writes
const ESCAPES = /\u001b\[\d+m/g;
/** Width on screen: escape sequences take none. */
const width = (text: string) => [...text.replace(ESCAPES, '')].length;

/**
 * Rows as aligned columns under a header line, each cell padded to its column's widest; the last column is not
 * padded (it may be long and wrap).
 */
export function textTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  style: Style = NO_COLOUR,
): string {
  const widths = header.map((title, column) =>
    Math.max(width(title), ...rows.map((row) => width(row[column] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - width(cell)),
      )
      .join('  ')
      .trimEnd();
  return [style.bold(line(header)), ...rows.map(line)].join('\n');
}

/** The same rows as a Markdown table (a job summary), with cell text escaped so it cannot break the table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string) => text.replaceAll('\\', '\\\\').replaceAll('|', '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: readonly string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}
