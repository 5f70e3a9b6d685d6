// Turns the bytes of the four config files into a typed Config plus located diagnostics.
// parseConfig is pure (bytes in, result out) so the PR diff can feed it file contents from git;
// loadConfig is the thin file-reading shell around it.
//
// Each file goes through: size limit -> UTF-8 -> YAML (refusing anchors, aliases, duplicate keys) -> schema ->
// rules. A file that fails one stage skips its later stages, but the other files carry on, so one run reports
// every problem that can be found.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { oddCharacter } from './characters.ts';
import { commentsAfterDescriptions } from './description-comment.ts';
import type { Diagnostic } from './diagnostics.ts';
import { type ExpiredEntries, expiredOn, utcDay } from './expiry.ts';
import { declared, type LoadCode } from './load-codes.ts';
import { locate, locateKey, type ParsedFile, type ValuePath } from './locate.ts';
import { CONFIG_FILES, type Config, type ConfigPart } from './model.ts';
import { checkRules } from './rules/registry.ts';
import { closestMatch } from './suggest.ts';
import {
  forEachValueNode,
  kindOf,
  nodeAt,
  parseYamlSource,
  plainText,
  positionOf,
  readYamlValue,
  type SourceNode,
} from './yaml-source.ts';
import { describeValue, yaml11Reading } from './yaml11.ts';

/** Larger files are refused before parsing: the real ones are a few kilobytes, 100,000 CIDRs about 6 MB. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface SourceFile {
  /** Path used in messages, e.g. config/allowlist.yaml. */
  path: string;
  /** Raw bytes; decoded here so that invalid UTF-8 is reported instead of replaced. */
  bytes: Uint8Array;
}

export type ConfigSources = Record<ConfigPart, SourceFile>;

export interface ParseResult {
  /** Present only when there are no errors. */
  config?: Config;
  /** The files that passed their schema (even if a rule then failed), e.g. to describe a base version in a diff. */
  parts: Partial<Config>;
  diagnostics: Diagnostic[];
  /** The parsed documents, for locating findings of later checks. */
  files: Partial<Record<ConfigPart, ParsedFile>>;
}

export interface ParseOptions {
  /** The run's clock reading; its UTC day decides which allowlist entries have lapsed. Default: the system clock. */
  now?: Date;
  /** What to do with lapsed allowlist entries (src/config/expiry.ts). Default 'refuse', as for a pull request. */
  expired?: ExpiredEntries;
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
  const { parts, files } = parseParts(sources, diagnostics);
  const today = utcDay(options.now ?? new Date());
  diagnostics.push(...checkRules(parts, files, today, options.expired));
  diagnostics.push(...commentsAfterDescriptions(parts.allowlist, files.allowlist));
  if (options.expired === 'leave-out' && parts.allowlist) {
    parts.allowlist = {
      ...parts.allowlist,
      entries: parts.allowlist.entries.filter((entry) => !expiredOn(entry, today)),
    };
  }
  const complete = Object.keys(CONFIG_FILES).every((part) => part in parts);
  const ok = complete && !diagnostics.some((d) => d.severity === 'error');
  return ok ? { config: parts as Config, parts, diagnostics, files } : { parts, diagnostics, files };
}

/**
 * The parts of parseConfig (the files that parse and pass their schema) without checking the rules, reporting
 * anything or keeping positions: what a diff needs of its base version, which only has to be read. At 100,000
 * entries this is a fifth of parseConfig's time.
 */
export function parseConfigParts(sources: ConfigSources): Partial<Config> {
  const parts: Partial<Config> = {};
  for (const part of Object.keys(CONFIG_FILES) as ConfigPart[]) {
    const { bytes } = sources[part];
    const text = bytes.byteLength > MAX_FILE_BYTES ? undefined : decodeUtf8(bytes);
    // Nothing is reported, so no positions are kept: the value is all a base needs.
    const result = text === undefined ? undefined : CONFIG_FILES[part].schema.safeParse(readYamlValue(text));
    if (result?.success) Object.assign(parts, { [part]: result.data });
  }
  return parts;
}

function parseParts(sources: ConfigSources, diagnostics: Diagnostic[]): Pick<ParseResult, 'parts' | 'files'> {
  const files: ParseResult['files'] = {};
  const parts: Partial<Config> = {};
  for (const part of Object.keys(CONFIG_FILES) as ConfigPart[]) {
    const parsed = parseYamlFile(sources[part], diagnostics);
    if (!parsed) continue;
    files[part] = parsed.file;
    const value = validateShape(parsed.file, parsed.value, CONFIG_FILES[part].schema, diagnostics);
    if (value !== undefined) Object.assign(parts, { [part]: value });
  }
  return { parts, files };
}

/** undefined for bytes that are not UTF-8, which are reported rather than replaced. */
function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function parseYamlFile(
  source: SourceFile,
  diagnostics: Diagnostic[],
): { file: ParsedFile; value: unknown } | undefined {
  const error = (code: LoadCode, message: string, hint: string, line = 1, column = 1): Diagnostic => ({
    ...declared(code),
    file: source.path,
    line,
    column,
    message,
    hint,
  });
  if (source.bytes.byteLength > MAX_FILE_BYTES) {
    diagnostics.push(
      error(
        'file-too-large',
        `file is ${source.bytes.byteLength} bytes, over the ${MAX_FILE_BYTES} byte limit`,
        'split or trim it; an allowlist of 100,000 entries is about 6 MB',
      ),
    );
    return undefined;
  }
  const text = decodeUtf8(source.bytes);
  if (text === undefined) {
    const invalidAt = firstInvalidUtf8Offset(source.bytes) ?? 0;
    const { line, column } = lineColumnOfByte(source.bytes, invalidAt);
    const byte = (source.bytes[invalidAt] as number).toString(16).padStart(2, '0');
    diagnostics.push(
      error('not-utf8', `byte 0x${byte} is not valid UTF-8`, 'save the file as UTF-8', line, column),
    );
    return undefined;
  }
  const yaml = parseYamlSource(text);
  for (const problem of yaml.problems) {
    const { line, column } = positionOf(yaml, problem.offset);
    diagnostics.push(error(problem.code, problem.message, problem.hint, line, column));
  }
  if (yaml.problems.some((problem) => !problem.readAsSpace)) return undefined;
  if (!yaml.root || yaml.value === undefined || yaml.value === null) {
    diagnostics.push(error('empty-file', 'file is empty', 'see the example in docs/configuration.md'));
    return undefined;
  }
  return { file: { path: source.path, source: yaml }, value: yaml.value };
}

/** Offset of the first byte that is not part of valid UTF-8, found by a lossless round trip. */
export function firstInvalidUtf8Offset(bytes: Uint8Array): number | undefined {
  // Decoding replaces each invalid sequence with U+FFFD; re-encoding reproduces every valid byte exactly,
  // so the first difference is the first invalid byte. ignoreBOM keeps a BOM, so offsets stay aligned.
  const roundTrip = new TextEncoder().encode(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
  if (roundTrip.length === bytes.length && Buffer.from(roundTrip).equals(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length && bytes[i] === roundTrip[i]) i++;
  return i;
}

function lineColumnOfByte(bytes: Uint8Array, offset: number) {
  const before = bytes.subarray(0, offset);
  const lineStart = before.lastIndexOf(0x0a) + 1;
  const line = before.filter((b) => b === 0x0a).length + 1;
  const column = new TextDecoder().decode(bytes.subarray(lineStart, offset)).length + 1;
  return { line, column };
}

/** Schema check with every issue located at the offending node. */
function validateShape<S extends z.ZodType>(
  file: ParsedFile,
  value: unknown,
  schema: S,
  diagnostics: Diagnostic[],
): z.infer<S> | undefined {
  const result = schema.safeParse(value);
  const flagged = new Set<number>();
  if (!result.success) {
    const issues = result.error.issues;
    const misspelt = misspeltKeys(issues, schema);
    for (const issue of issues) {
      diagnostics.push(...issueDiagnostics(issue, { file, value, schema, misspelt, flagged }));
    }
  }
  diagnostics.push(...ambiguousScalars(file, flagged));
  return result.success ? result.data : undefined;
}

interface IssueContext {
  file: ParsedFile;
  value: unknown;
  schema: z.ZodType;
  /** Paths of required keys written with a close misspelling (the unknown-key message covers them). */
  misspelt: ReadonlySet<string>;
  /** Offsets of the nodes already reported, so they get no second warning. */
  flagged: Set<number>;
}

function issueDiagnostics(issue: z.core.$ZodIssue, context: IssueContext): Diagnostic[] {
  const { file, schema } = context;
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => unknownKey(file, schema, path, key));
  if (issue.code === 'invalid_type' && valueAt(context.value, path) === undefined) {
    // A required key is missing; if a misspelling of it is present, the unknown-key message already says so.
    return context.misspelt.has(formatPath(path)) ? [] : [missingKey(file, path, issue.expected)];
  }
  const node = nodeAt(file.source, path);
  context.flagged.add(node.offset);
  return [
    {
      ...declared(issue.code === 'invalid_type' ? 'wrong-type' : 'invalid-value'),
      file: file.path,
      ...locate(file, path),
      message: `${formatPath(path) || 'document'}: ${issueMessage(issue, file, node)}`,
      hint: issueHint(issue, file, node),
    },
  ];
}

function issueMessage(issue: z.core.$ZodIssue, file: ParsedFile, node: SourceNode): string {
  if (issue.code === 'invalid_type' && kindOf(file.source, node) === 'empty')
    return `a value is required (expected ${issue.expected})`;
  const odd = typeof node.value === 'string' ? oddCharacter(node.value) : undefined;
  return odd ? `${issue.message} (it contains ${odd})` : issue.message;
}

function issueHint(issue: z.core.$ZodIssue, file: ParsedFile, node: SourceNode): string | undefined {
  if (issue.code === 'invalid_value' && typeof node.value === 'string') {
    const options = issue.values.map(String);
    const close = closestMatch(node.value, options);
    return close ? `did you mean ${close}?` : `use one of: ${options.join(', ')}`;
  }
  const plain = plainText(file.source, node);
  const reading = plain === undefined ? undefined : explainPlainScalar(plain, node.value);
  if (issue.code !== 'invalid_type') return reading;
  if (issue.expected === 'string' && plain !== undefined) {
    return `${reading ?? `YAML reads the unquoted ${plain} as ${describeValue(node.value)}`}; quote it: "${plain}"`;
  }
  return reading ? `${reading}; write a ${issue.expected}` : `write a ${issue.expected}`;
}

/** What YAML 1.2 (this tool) and YAML 1.1 (many other tools) make of an unquoted scalar, when they disagree. */
function explainPlainScalar(plain: string, value: unknown): string | undefined {
  const old = yaml11Reading(plain);
  if (!old || Object.is(old.value, value)) return undefined;
  return `YAML 1.2 reads the unquoted ${plain} as ${describeValue(value)}, YAML 1.1 tools as ${old.description}`;
}

/** Warns about unquoted scalars that YAML 1.1 tools (linters, older libraries, editors) would read differently. */
/** Values YAML 1.1 may read differently start like this (y/n/on/off, digits, signs); others need no look. */
const MAYBE_AMBIGUOUS = /^[yYnNoO0-9+-]/;

/** Warns about unquoted scalars that YAML 1.1 tools (linters, older libraries, editors) would read differently. */
function ambiguousScalars(file: ParsedFile, alreadyFlagged: ReadonlySet<number>): Diagnostic[] {
  const found: Diagnostic[] = [];
  forEachValueNode(file.source, (node) => {
    const { value } = node;
    if (typeof value === 'string' ? !MAYBE_AMBIGUOUS.test(value) : typeof value !== 'number') return;
    const plain = alreadyFlagged.has(node.offset) ? undefined : plainText(file.source, node);
    const explanation = plain === undefined ? undefined : explainPlainScalar(plain, value);
    if (!explanation) return;
    found.push({
      ...declared('yaml-ambiguous-scalar'),
      file: file.path,
      ...positionOf(file.source, node.offset),
      message: explanation,
      hint:
        typeof value === 'string'
          ? `quote it ("${plain}") so every tool reads the same text`
          : `write ${describeValue(value)} in plain decimal (or quote it if it is text)`,
    });
  });
  return found;
}

/** Paths (formatted) of required keys that are absent because a close misspelling was written instead. */
function misspeltKeys(issues: readonly z.core.$ZodIssue[], schema: z.ZodType): Set<string> {
  const paths = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const path = issue.path as (string | number)[];
    const known = knownKeysAt(schema, path);
    for (const key of issue.keys) {
      const meant = closestMatch(key, known);
      if (meant) paths.add(formatPath([...path, meant]));
    }
  }
  return paths;
}

function valueAt(value: unknown, path: ValuePath): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

function missingKey(file: ParsedFile, path: ValuePath, expected: string): Diagnostic {
  const key = String(path.at(-1));
  const parent = path.slice(0, -1);
  return {
    ...declared('missing-key'),
    file: file.path,
    ...locate(file, parent),
    message: `${formatPath(parent) || 'document'}: required key "${key}" is missing`,
    hint: `add ${key}: <${expected}>`,
  };
}

function unknownKey(file: ParsedFile, schema: z.ZodType, path: ValuePath, key: string): Diagnostic {
  const known = knownKeysAt(schema, path);
  const suggestion = closestMatch(key, known);
  return {
    ...declared('unknown-key'),
    file: file.path,
    ...locateKey(file, path, key),
    message: `unknown key "${key}"${path.length ? ` in ${formatPath(path)}` : ''}`,
    hint: suggestion
      ? `did you mean "${suggestion}"?`
      : `remove it; the keys allowed here are ${known.join(', ') || 'none'}`,
  };
}

/** The keys the schema allows in the object at a value path. */
export function knownKeysAt(schema: z.ZodType, path: ValuePath): string[] {
  let current: z.ZodType | undefined = schema;
  for (const step of path) {
    current = unwrap(current);
    if (current instanceof z.ZodObject && typeof step === 'string') current = current.shape[step];
    else if (current instanceof z.ZodArray && typeof step === 'number')
      current = current.element as z.ZodType;
    else return [];
  }
  current = unwrap(current);
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

export function formatPath(path: ValuePath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
