// The one builder of reports: a job summary or pull-request comment (Markdown) and a terminal (plain text, aligned
// columns, no Markdown syntax) from the same calls, in the manner of the Actions toolkit's summary. Table cells are
// escaped by src/render/markdown.ts in Markdown; the terminal prints them as they are, one line each.
import { code, details, table } from './markdown.ts';

export type ReportFormat = 'markdown' | 'terminal';

export class Report {
  private readonly blocks: string[] = [];

  constructor(readonly format: ReportFormat) {}

  /** Inline code: backticks in Markdown, the bare text in a terminal. */
  code(text: string): string {
    return this.format === 'markdown' ? code(text) : text;
  }

  heading(text: string, level = 2): this {
    this.blocks.push(
      this.format === 'markdown'
        ? `${'#'.repeat(level)} ${text}`
        : level <= 2
          ? `${text}\n${'='.repeat(text.length)}`
          : text,
    );
    return this;
  }

  paragraph(text: string): this {
    this.blocks.push(text);
    return this;
  }

  /** One item per line. */
  list(items: readonly string[]): this {
    if (items.length > 0) this.blocks.push(items.map((item) => `- ${item}`).join('\n'));
    return this;
  }

  /** A table; headers all empty make a key/value table (no header row in a terminal). */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): this {
    this.blocks.push(this.format === 'markdown' ? table(headers, rows) : columns(headers, rows));
    return this;
  }

  /** A folded section in Markdown; in a terminal, its title and the body indented. */
  details(summary: string, body: Report): this {
    this.blocks.push(
      this.format === 'markdown'
        ? details(summary, body.text()).trimEnd()
        : `${summary}:\n${body.text().trimEnd().replace(/^/gm, '  ')}`,
    );
    return this;
  }

  /** A new, empty report of the same format (for a folded section's body). */
  fork(): Report {
    return new Report(this.format);
  }

  get empty(): boolean {
    return this.blocks.length === 0;
  }

  text(): string {
    return this.blocks.length === 0 ? '' : `${this.blocks.join('\n\n')}\n`;
  }
}

/** Plain columns padded to their widest cell; a cell's line breaks become spaces. */
function columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const plain = (cell: string) => cell.replace(/\r?\n/g, ' ');
  const withHeader = headers.every((h) => h === '') ? rows : [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...withHeader.map((row) => plain(row[i] ?? '').length)));
  return withHeader
    .map((row) =>
      row
        .map((cell, i) => (i === row.length - 1 ? plain(cell) : plain(cell).padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
