// A spreadsheet export (CSV) -> allowlist entries, with every problem of every row found in one pass: a person
// fixing a 5,000-row sheet gets the whole list at once, each with its line, the offending character named, and
// the fix. Spreadsheet artefacts that change nothing (a byte order mark, CRLF, no-break spaces around a value,
// typographic quotes and dashes in a description) are handled; anything that would change what is admitted (host
// bits, a date that is not a date, an unknown service) is reported, never guessed. Pure: text in, result out.
import { parse } from 'csv-parse/sync';
import { ASCII_LOOKALIKE, characterName, oddCharacter } from '../config/characters.ts';
import { canonicalCidr, parseCidr } from '../config/cidr.ts';
import { type AllowlistEntry, ISO_DATE, SAFE_TEXT, SERVICE_NAME } from '../config/model.ts';
import { closestMatch } from '../config/suggest.ts';

export interface ImportProblem {
  /** 1-based line of the CSV file. */
  line: number;
  column: string;
  message: string;
  fix: string;
}

export interface ImportResult {
  entries: AllowlistEntry[];
  /** CSV line of each entry, for messages about the entries later (validation of the whole file). */
  lines: number[];
  problems: ImportProblem[];
}

export interface ImportContext {
  /** Service names of services.yaml. */
  services: readonly string[];
  /** Entries already in allowlist.yaml (kept by the import): a row repeating one is a duplicate. */
  existing: readonly AllowlistEntry[];
  /** Today (UTC, YYYY-MM-DD): an entry that has already expired is refused. */
  today: string;
}

const COLUMNS = ['cidr', 'description', 'expires', 'services'] as const;
type Column = (typeof COLUMNS)[number];

/** Header names spreadsheets use for each column. */
const HEADER_NAMES: Readonly<Record<string, Column>> = {
  cidr: 'cidr',
  range: 'cidr',
  network: 'cidr',
  'ip range': 'cidr',
  description: 'description',
  owner: 'description',
  comment: 'description',
  expires: 'expires',
  expiry: 'expires',
  expiration: 'expires',
  'valid until': 'expires',
  services: 'services',
  service: 'services',
};

/** Whitespace a spreadsheet pads cells with, including the no-break kinds. */
const EDGE_SPACE = /^[\s\u00a0\u2007\u202f\ufeff]+|[\s\u00a0\u2007\u202f\ufeff]+$/gu;

class Problems {
  readonly list: ImportProblem[] = [];
  add(line: number, column: string, message: string, fix: string): void {
    this.list.push({ line, column, message, fix });
  }
}

function headerMap(header: readonly string[], problems: Problems): Map<number, Column> {
  const map = new Map<number, Column>();
  header.forEach((raw, index) => {
    const name = raw.replace(EDGE_SPACE, '').toLowerCase();
    const column = HEADER_NAMES[name];
    if (column) map.set(index, column);
    else if (name !== '') {
      const meant = closestMatch(name, Object.keys(HEADER_NAMES));
      problems.add(
        1,
        raw,
        `unknown column "${raw}"`,
        meant ? `did you mean ${meant}?` : `name the columns ${COLUMNS.join(', ')}`,
      );
    }
  });
  for (const required of ['cidr', 'description'] as const) {
    if (![...map.values()].includes(required)) {
      problems.add(
        1,
        required,
        `no ${required} column`,
        `add a header row naming the columns ${COLUMNS.join(', ')}`,
      );
    }
  }
  return map;
}

interface RowContext extends ImportContext {
  problems: Problems;
  /** Canonical CIDR -> where it was first seen. */
  seen: Map<string, string>;
}

function readCidr(raw: string, line: number, context: RowContext): string | undefined {
  const bad = oddCharacter(raw);
  if (bad) {
    context.problems.add(
      line,
      'cidr',
      `"${raw}" contains ${bad}`,
      'retype the range in plain ASCII, e.g. 198.51.100.0/24',
    );
    return undefined;
  }
  const parsed = parseCidr(raw);
  if (!parsed.ok) {
    context.problems.add(
      line,
      'cidr',
      `"${raw}" is not a network: ${parsed.reason}`,
      'write address/prefix, e.g. 198.51.100.0/24',
    );
    return undefined;
  }
  const canonical = canonicalCidr(parsed.cidr);
  if (parsed.cidr.address !== parsed.cidr.network) {
    const single = parsed.cidr.family === 4 ? 32 : 128;
    context.problems.add(
      line,
      'cidr',
      `${raw} has host bits set: the network is ${canonical}`,
      `write ${canonical} for the whole network, or ${raw.split('/')[0]}/${single} for the one address`,
    );
    return undefined;
  }
  const first = context.seen.get(canonical);
  if (first) {
    context.problems.add(
      line,
      'cidr',
      `${canonical} is already ${first}`,
      'remove one of them, or merge their descriptions and services',
    );
    return undefined;
  }
  context.seen.set(canonical, `on line ${line}`);
  return canonical;
}

function readDescription(raw: string, line: number, problems: Problems): string | undefined {
  // Typographic quotes and dashes are what a spreadsheet makes of ' and -: write them plainly; double quotes, which
  // descriptions do not take, as single ones.
  const text = [...raw]
    .map((character) => ASCII_LOOKALIKE[character] ?? character)
    .join('')
    .replaceAll('"', "'")
    .replace(/ {2,}/g, ' ');
  if (text === '') {
    problems.add(
      line,
      'description',
      'the description is empty',
      'say who owns the range and why it is allowed',
    );
    return undefined;
  }
  if (SAFE_TEXT.test(text)) return text;
  const bad = [...text].find((character) => !SAFE_TEXT.test(character));
  problems.add(
    line,
    'description',
    text.length > 200
      ? `the description is ${text.length} characters long`
      : `the description contains ${bad ? characterName(bad) : 'a character that is not allowed'}${bad ? ` at character ${text.indexOf(bad) + 1}` : ''}`,
    "keep it to one line of at most 200 letters, digits, spaces and ' # . , : ( ) / @ & + _ -",
  );
  return undefined;
}

function readExpires(raw: string, line: number, context: RowContext): string | undefined {
  if (raw === '') return undefined;
  const bad = oddCharacter(raw);
  const valid =
    ISO_DATE.test(raw) &&
    !Number.isNaN(Date.parse(`${raw}T00:00:00Z`)) &&
    new Date(`${raw}T00:00:00Z`).toISOString().startsWith(raw);
  if (!valid) {
    context.problems.add(
      line,
      'expires',
      bad ? `"${raw}" contains ${bad}` : `"${raw}" is not a date written YYYY-MM-DD`,
      'write the last valid day as YYYY-MM-DD, e.g. 2030-06-30 (format the column as text, or as ISO dates, before exporting)',
    );
    return undefined;
  }
  if (raw < context.today) {
    context.problems.add(
      line,
      'expires',
      `${raw} has passed`,
      'renew the entry with a later date, or leave the row out',
    );
    return undefined;
  }
  return raw;
}

function readServices(raw: string, line: number, context: RowContext): string[] | undefined {
  if (raw === '') return undefined;
  const names = raw.split(/[\s,;]+/).filter(Boolean);
  const unknown = names.filter((name) => !context.services.includes(name));
  for (const name of unknown) {
    const meant = closestMatch(name, context.services);
    const bad = SERVICE_NAME.test(name) ? undefined : oddCharacter(name);
    context.problems.add(
      line,
      'services',
      bad ? `service "${name}" contains ${bad}` : `no service "${name}" in services.yaml`,
      meant ? `did you mean ${meant}?` : `use names of services.yaml: ${context.services.join(', ')}`,
    );
  }
  return unknown.length === 0 ? [...new Set(names)] : undefined;
}

function readRow(
  cells: Partial<Record<Column, string>>,
  line: number,
  context: RowContext,
): AllowlistEntry | undefined {
  const cidr = readCidr(cells.cidr ?? '', line, context);
  const description = readDescription(cells.description ?? '', line, context.problems);
  const expires = readExpires(cells.expires ?? '', line, context);
  const services = readServices(cells.services ?? '', line, context);
  const failed = cidr === undefined || description === undefined;
  const dropped = (cells.expires && !expires) || (cells.services && !services);
  if (failed || dropped) return undefined;
  return { cidr, description, ...(expires ? { expires } : {}), ...(services ? { services } : {}) };
}

/** Reads a CSV export: one entry per row after the header, or every problem found. */
export function importCsv(text: string, context: ImportContext): ImportResult {
  const problems = new Problems();
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as typeof records;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const line = (error as { lines?: number }).lines ?? 1;
    problems.add(
      line,
      '',
      `the file is not valid CSV: ${message}`,
      'export the sheet again as CSV (comma separated, UTF-8)',
    );
    return { entries: [], lines: [], problems: problems.list };
  }
  const [header, ...rows] = records;
  if (!header)
    return {
      entries: [],
      lines: [],
      problems: [
        { line: 1, column: '', message: 'the file is empty', fix: 'export the sheet with a header row' },
      ],
    };
  const columns = headerMap(header.record, problems);
  const seen = new Map(context.existing.map((entry) => [entry.cidr, 'in allowlist.yaml']));
  const rowContext: RowContext = { ...context, problems, seen };
  const entries: AllowlistEntry[] = [];
  const lines: number[] = [];
  for (const { record, info } of rows) {
    const cells: Partial<Record<Column, string>> = {};
    for (const [index, column] of columns) cells[column] = (record[index] ?? '').replace(EDGE_SPACE, '');
    if (Object.values(cells).every((cell) => cell === '')) continue;
    const entry = readRow(cells, info.lines, rowContext);
    if (entry) {
      entries.push(entry);
      lines.push(info.lines);
    }
  }
  return { entries, lines, problems: problems.list.sort((a, b) => a.line - b.line) };
}
