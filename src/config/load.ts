// Turns the text of the four config files into a typed Config plus located diagnostics.
// parseConfig is pure (text in, result out) so the PR diff can feed it file contents from git;
// loadConfig is the thin file-reading shell around it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Document, isMap, isPair, isScalar, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import type { Diagnostic } from './diagnostics.ts';
import { CONFIG_FILES, type Config, type ConfigPart } from './model.ts';
import { checkRules } from './rules.ts';

/** Larger files are refused before parsing: the real ones are a few kilobytes, 100,000 CIDRs about 6 MB. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface SourceFile {
  /** Path used in messages, e.g. config/allowlist.yaml. */
  path: string;
  /** Raw bytes; decoded here so that invalid UTF-8 is reported instead of replaced. */
  bytes: Uint8Array;
}

export type ConfigSources = Record<ConfigPart, SourceFile>;

/** A parsed YAML file with what is needed to turn a value path into a line and column. */
export interface ParsedFile {
  path: string;
  doc: Document.Parsed;
  lines: LineCounter;
}

export interface ParseResult {
  /** Present only when there are no errors. */
  config?: Config;
  diagnostics: Diagnostic[];
  /** The parsed documents, for locating findings of later checks. */
  files: Partial<Record<ConfigPart, ParsedFile>>;
}

export interface ParseOptions {
  /** Today, for expiry checks. */
  now?: Date;
}

export async function readConfigSources(dir: string): Promise<ConfigSources> {
  const entries = await Promise.all(
    Object.entries(CONFIG_FILES).map(async ([part, { file }]) => {
      const path = join(dir, file);
      const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return undefined;
        throw error;
      });
      return [part, { path, bytes }] as const;
    }),
  );
  const missing = entries.filter(([, source]) => source.bytes === undefined).map(([, s]) => s.path);
  if (missing.length > 0) throw new Error(`missing config file(s): ${missing.join(', ')}`);
  return Object.fromEntries(entries) as unknown as ConfigSources;
}

export async function loadConfig(dir: string, options: ParseOptions = {}): Promise<ParseResult> {
  return parseConfig(await readConfigSources(dir), options);
}

export function parseConfig(sources: ConfigSources, options: ParseOptions = {}): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const files: ParseResult['files'] = {};
  const values: Partial<Config> = {};
  for (const part of Object.keys(CONFIG_FILES) as ConfigPart[]) {
    const parsed = parseYaml(sources[part], diagnostics);
    if (!parsed) continue;
    files[part] = parsed;
    const value = validateShape(parsed, CONFIG_FILES[part].schema, diagnostics);
    if (value !== undefined) Object.assign(values, { [part]: value });
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, files };
  const config = values as Config;
  diagnostics.push(...checkRules(config, files, options.now ?? new Date()));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return ok ? { config, diagnostics, files } : { diagnostics, files };
}

function parseYaml(source: SourceFile, diagnostics: Diagnostic[]): ParsedFile | undefined {
  const at = (code: string, message: string, hint: string, line = 1, column = 1): Diagnostic => ({
    severity: 'error',
    file: source.path,
    line,
    column,
    code,
    message,
    hint,
  });
  if (source.bytes.byteLength > MAX_FILE_BYTES) {
    diagnostics.push(
      at(
        'file-too-large',
        `file is ${source.bytes.byteLength} bytes, over the ${MAX_FILE_BYTES} byte limit`,
        'split or trim it',
      ),
    );
    return undefined;
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(source.bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(source.bytes);
    const { line, column } = lineColumnOfByte(source.bytes, offset);
    diagnostics.push(at('not-utf8', 'file is not valid UTF-8', 'save the file as UTF-8', line, column));
    return undefined;
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    uniqueKeys: true,
    prettyErrors: false,
    strict: true,
    version: '1.2',
    schema: 'core',
  });
  const parsed: ParsedFile = { path: source.path, doc, lines };
  for (const error of [...doc.errors, ...doc.warnings]) {
    const pos = lines.linePos(error.pos[0]);
    diagnostics.push(
      at(
        `yaml-${error.code.toLowerCase().replace(/_/g, '-')}`,
        firstLine(error.message),
        yamlHint(error.code),
        pos.line,
        pos.col,
      ),
    );
  }
  if (doc.errors.length > 0) return undefined;
  return parsed;
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'remove one of the two keys; YAML keeps only one of them';
    case 'ALIAS_COUNT_EXCEEDED':
    case 'BAD_ALIAS':
      return 'write the values out instead of using anchors (&) and aliases (*)';
    default:
      return 'fix the YAML syntax at this position';
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/** Schema check with every issue located at the offending node. */
function validateShape<S extends z.ZodType>(
  file: ParsedFile,
  schema: S,
  diagnostics: Diagnostic[],
): z.infer<S> | undefined {
  // Aliases are legal YAML but have no use here; refusing them rules out expansion bombs.
  const result = schema.safeParse(file.doc.toJS({ maxAliasCount: 0 }));
  if (result.success) return result.data;
  for (const issue of result.error.issues) {
    const path = issue.path as (string | number)[];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const { line, column } = locateKey(file, path, key);
        diagnostics.push({
          severity: 'error',
          file: file.path,
          line,
          column,
          code: 'unknown-key',
          message: `unknown key "${key}"${path.length ? ` in ${formatPath(path)}` : ''}`,
          hint: suggestKey(key, issue) ?? 'remove it, or check the spelling against the schema',
        });
      }
      continue;
    }
    const { line, column } = locate(file, path);
    diagnostics.push({
      severity: 'error',
      file: file.path,
      line,
      column,
      code: issue.code === 'invalid_type' ? 'wrong-type' : 'invalid-value',
      message: `${formatPath(path) || 'document'}: ${issue.message}`,
      hint: issue.code === 'invalid_type' ? `write a ${issue.expected}` : undefined,
    });
  }
  return undefined;
}

function suggestKey(key: string, issue: z.core.$ZodIssueUnrecognizedKeys): string | undefined {
  void issue;
  void key;
  return undefined;
}

export function formatPath(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Line and column of the node at a value path; falls back to the nearest existing parent. */
export function locate(
  file: ParsedFile,
  path: readonly (string | number)[],
): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = file.doc.getIn(path.slice(0, depth), true) as Node | undefined;
    if (node?.range) return position(file, node.range[0]);
  }
  return { line: 1, column: 1 };
}

function locateKey(file: ParsedFile, path: readonly (string | number)[], key: string) {
  const map = file.doc.getIn(path, true);
  if (isMap(map)) {
    const pair = map.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
    const keyNode = pair?.key as Node | undefined;
    if (keyNode?.range) return position(file, keyNode.range[0]);
  }
  return locate(file, path);
}

function position(file: ParsedFile, offset: number) {
  const { line, col } = file.lines.linePos(offset);
  return { line, column: col };
}

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let lo = 0;
  let hi = bytes.byteLength;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const valid = (end: number) => {
    try {
      decoder.decode(bytes.subarray(0, end));
      return true;
    } catch {
      return false;
    }
  };
  // Largest valid prefix; a multi-byte character cut at the end also fails, so step back up to 3 bytes.
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ([0, 1, 2, 3].some((back) => mid - back >= lo && valid(mid - back))) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function lineColumnOfByte(bytes: Uint8Array, offset: number) {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, column };
}
