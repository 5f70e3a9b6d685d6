// The one builder of reports: a job summary or pull-request comment (Markdown) and a terminal (plain text, aligned
// columns, no Markdown syntax) from the same calls, in the manner of the Actions toolkit's summary. Table cells are
// escaped by src/render/markdown.ts in Markdown; the terminal prints them as they are, one line each, and shows
// headings and table headers in bold when its style has colour (a TTY with NO_COLOR unset: styleFor).
import { code, details, escapeText, fenced, table } from './markdown.ts';

export type ReportFormat = 'markdown' | 'terminal';

/** How a terminal shows emphasis and states. */
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

/** Colour when writing to a terminal and the user has not asked for none (https://no-color.org). */
export function styleFor(
  stream: { isTTY?: boolean } = process.stdout,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Style {
  return stream.isTTY && !env.NO_COLOR ? COLOUR : NO_COLOUR;
}

export class Report {
  private readonly blocks: string[] = [];

  /** `style` applies to the terminal format only. */
  constructor(
    readonly format: ReportFormat,
    readonly style: Style = NO_COLOUR,
  ) {}

  /** Inline code: backticks in Markdown, the bare text in a terminal. */
  code(text: string): string {
    return this.format === 'markdown' ? code(text) : text;
  }

  /** Strong emphasis: bold in Markdown, and in a terminal whose style has colour. */
  strong(text: string): string {
    return this.format === 'markdown' ? `**${text}**` : this.style.bold(text);
  }

  /** Text typed by someone (a reason), for a heading or paragraph: shown as typed, never as Markdown. */
  escape(text: string): string {
    return this.format === 'markdown' ? escapeText(text) : text;
  }

  heading(text: string, level = 2): this {
    this.blocks.push(
      this.format === 'markdown'
        ? `${'#'.repeat(level)} ${text}`
        : level <= 2
          ? `${this.style.bold(text)}\n${'='.repeat(width(text))}`
          : this.style.bold(text),
    );
    return this;
  }

  paragraph(text: string): this {
    this.blocks.push(text);
    return this;
  }

  /** Text shown as written (a command, a diff): a fenced block in Markdown, the bare lines in a terminal. */
  codeBlock(text: string, language = ''): this {
    this.blocks.push(this.format === 'markdown' ? fenced(text, language) : text);
    return this;
  }

  /** One item per line. */
  list(items: readonly string[]): this {
    if (items.length > 0) this.blocks.push(items.map((item) => `- ${item}`).join('\n'));
    return this;
  }

  /** A table; headers all empty make a key/value table (no header row in a terminal). */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): this {
    this.blocks.push(this.format === 'markdown' ? table(headers, rows) : this.columns(headers, rows));
    return this;
  }

  /** A folded section in Markdown (unfolded when `open`); in a terminal, its title and the body indented. */
  details(summary: string, body: Report, options: { open?: boolean } = {}): this {
    this.blocks.push(
      this.format === 'markdown'
        ? details(summary, body.text().trimEnd(), options).trimEnd()
        : `${summary}:\n${body.text().trimEnd().replace(/^/gm, '  ')}`,
    );
    return this;
  }

  /** A new, empty report of the same format and style (for a folded section's body). */
  fork(): Report {
    return new Report(this.format, this.style);
  }

  get empty(): boolean {
    return this.blocks.length === 0;
  }

  text(): string {
    return this.blocks.length === 0 ? '' : `${this.blocks.join('\n\n')}\n`;
  }

  /**
   * Plain columns padded to their widest cell, the header row in bold; the last column is not padded (it may be
   * long and wrap). A cell's line breaks become spaces.
   */
  private columns(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    const oneLine = (cell: string) => cell.replace(/\r?\n/g, ' ');
    const withHeader = headers.every((h) => h === '') ? rows : [headers, ...rows];
    const widths = headers.map((_, i) => Math.max(...withHeader.map((row) => width(oneLine(row[i] ?? '')))));
    const line = (row: readonly string[]) =>
      row
        .map((cell, i) => {
          const text = oneLine(cell);
          return i === row.length - 1 ? text : text + ' '.repeat((widths[i] ?? 0) - width(text));
        })
        .join('  ')
        .trimEnd();
    const lines = withHeader.map(line);
    if (withHeader !== rows) lines[0] = this.style.bold(lines[0] ?? '');
    return lines.join('\n');
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: strips the escape sequences of a Style
const ESCAPES = /\u001b\[\d+m/g;
/** Width on screen: escape sequences take none. */
const width = (text: string) => [...text.replace(ESCAPES, '')].length;
