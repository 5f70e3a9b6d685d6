// YAML text -> plain value, plus a tree of source positions so every later finding points at its node.
//
// js-yaml does the parsing (YAML 1.2 core schema); its parse-event listener feeds the position tree. It was chosen
// over `yaml` for speed: a 100,000-entry allowlist parses about ten times faster, which keeps validation of
// large allowlists well under the two-second budget (see `npm run bench:validate`).
import jsYaml from 'js-yaml';
import { characterName, INVISIBLE_SPACE } from './characters.ts';
import type { LoadCode } from './load-codes.ts';

export type NodeKind = 'mapping' | 'sequence' | 'scalar' | 'empty';

/** A node of the document: where it is, and the value it became. */
export interface SourceNode {
  /** Offset of the node's first character (its anchor or tag, if any). */
  offset: number;
  /** Offset just past the node. */
  end: number;
  value: unknown;
}

/**
 * Positions of the children of each mapping and sequence, keyed by the object or array the parser made of it.
 * Three slots per child, in source order: [key text or '', offset, end]; a mapping's children alternate key,
 * value. Kept this flat (no object per node) because a 100,000-entry allowlist has half a million nodes.
 */
type Spans = Map<object, (string | number)[]>;

/** A finding at the YAML level (syntax, refused constructs). */
export interface YamlProblem {
  offset: number;
  code: LoadCode;
  message: string;
  hint: string;
  /**
   * A character YAML does not read as the space it looks like (a no-break space in the indentation): reported, and
   * read as a space so that the rest of the file is still checked in the same run.
   */
  readAsSpace?: true;
}

export interface YamlSource {
  text: string;
  /** Present when the text parsed (look-alike spaces read as spaces) and uses no refused construct. */
  value?: unknown;
  root?: SourceNode;
  problems: YamlProblem[];
  /** Offsets at which each line starts, for offset -> line:column. */
  lineStarts: number[];
  spans: Spans;
}

/** Nesting deeper than this is refused; the config files need five levels. */
const MAX_DEPTH = 32;
const SLOTS = 3;

interface ListenerState {
  position: number;
  kind: string | null;
  result: unknown;
  anchor: string | null;
}

/** A look-alike space where YAML expects its own syntax: in the indentation, after "-" or ":", before ":". */
const LOOKALIKE_SPACE = new RegExp(
  `(?<=^[ \\t-]*|[:-]|[:-] +)${INVISIBLE_SPACE.source}|${INVISIBLE_SPACE.source}(?=:)`,
  'gmu',
);

function lookalikeSpaces(text: string): YamlProblem[] {
  // Most files have no such character at all, which one scan for the character alone tells several times faster
  // than the pattern with its look-behind (a 100,000-entry allowlist is 6 MB).
  if (!INVISIBLE_SPACE.test(text)) return [];
  return [...text.matchAll(LOOKALIKE_SPACE)].map((match) => ({
    offset: match.index,
    code: 'yaml-syntax' as const,
    message: `${characterName(match[0])} where YAML expects a space or nothing`,
    hint: 'replace it with an ordinary space (copying from a web page, a chat or a spreadsheet brings these in)',
    readAsSpace: true as const,
  }));
}

/** The text with every look-alike space read as a space: the same length, so every offset stays the original's. */
function lookalikesAsSpaces(text: string): string {
  return INVISIBLE_SPACE.test(text) ? text.replace(LOOKALIKE_SPACE, ' ') : text;
}

export function parseYamlSource(text: string): YamlSource {
  const lookalikes = lookalikeSpaces(text);
  if (lookalikes.length === 0) return parseCleanYaml(text);
  const parsed = parseCleanYaml(lookalikesAsSpaces(text));
  return { ...parsed, text, problems: [...lookalikes, ...parsed.problems] };
}

const LOAD_OPTIONS = {
  schema: jsYaml.CORE_SCHEMA,
  // Duplicate keys are detected by parseYamlSource, so that all of them are reported with both positions.
  json: true,
  maxDepth: MAX_DEPTH,
} as jsYaml.LoadOptions;

/**
 * The value alone, for a text that only has to be read, such as a diff's base: no positions and no findings, and
 * several times less to allocate than parseYamlSource at 100,000 entries. Look-alike spaces are read as spaces, as
 * there; undefined where the text does not parse. It does not refuse what parseYamlSource refuses (anchors,
 * aliases, duplicate keys), which a base that passed validation cannot hold.
 */
export function readYamlValue(text: string): unknown {
  try {
    return jsYaml.load(lookalikesAsSpaces(text), LOAD_OPTIONS);
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) return undefined;
    throw error;
  }
}

function parseCleanYaml(text: string): YamlSource {
  const lineStarts = computeLineStarts(text);
  const problems: YamlProblem[] = [];
  const spans: Spans = new Map();
  // One entry per open node: where it opened, and its children so far (allocated on the first child).
  const opens: number[] = [];
  const lists: ((string | number)[] | undefined)[] = [];
  let root: SourceNode | undefined;
  let lastResult: unknown;

  /** Records a closed node in its parent's list (or as the root). */
  const record = (key: string, offset: number, end: number, value: unknown) => {
    const depth = lists.length;
    if (depth === 0) {
      root = { offset, end, value };
      return;
    }
    const siblings = lists[depth - 1];
    if (siblings) siblings.push(key, offset, end);
    else lists[depth - 1] = [key, offset, end];
  };

  const close = (open: number, list: (string | number)[] | undefined, state: ListenerState) => {
    const result = state.result;
    // js-yaml reports some nodes twice (an outer and an inner composeNode call); keep the inner one.
    if (list?.length === SLOTS && Object.is(lastResult, result)) {
      record(list[0] as string, list[1] as number, list[2] as number, result);
      return;
    }
    const offset = skipSeparation(text, open);
    refuseAnchorsAndAliases(text, offset, state.anchor, problems);
    if (state.kind === 'mapping' || state.kind === 'sequence') {
      spans.set(result as object, list ?? []);
      if (state.kind === 'mapping' && list) reportDuplicateKeys(list, problems, lineStarts);
    }
    record(keyText(result), offset, state.position, result);
  };

  try {
    const value = jsYaml.load(text, {
      ...LOAD_OPTIONS,
      listener(event, state) {
        if (event === 'open') {
          opens.push(state.position);
          lists.push(undefined);
          return;
        }
        const open = opens.pop();
        if (open === undefined) return;
        close(open, lists.pop(), state as unknown as ListenerState);
        lastResult = state.result;
      },
    } as jsYaml.LoadOptions);
    if (problems.length > 0) return { text, problems, lineStarts, spans, root };
    return { text, value, root, problems, lineStarts, spans };
  } catch (error) {
    if (!(error instanceof jsYaml.YAMLException)) throw error;
    const mark = (error as jsYaml.YAMLException & { mark?: { position: number } }).mark;
    problems.push(syntaxProblem(text, error.reason, mark?.position ?? 0));
    return { text, problems, lineStarts, spans };
  }
}

/** Anchors and aliases are refused: they hide what a change does and can expand into huge documents. */
function refuseAnchorsAndAliases(
  text: string,
  offset: number,
  anchor: string | null,
  problems: YamlProblem[],
): void {
  if (anchor !== null) {
    problems.push({
      offset,
      code: 'yaml-anchor',
      message: `anchor &${anchor} is not allowed`,
      hint: 'write the value out in full: anchors and aliases hide what a change does and can expand into huge documents',
    });
  }
  if (text.charCodeAt(offset) === 0x2a /* * */) {
    problems.push({
      offset,
      code: 'yaml-alias',
      message: 'aliases (*name) are not allowed',
      hint: 'write the value out in full instead of referring to an anchor',
    });
  }
}

/** A node's value as a mapping key: the text of a scalar, '' for a collection or null. */
function keyText(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === null || typeof value === 'object' ? '' : String(value);
}

export function kindOf(source: Pick<YamlSource, 'text'>, node: SourceNode): NodeKind {
  if (Array.isArray(node.value)) return 'sequence';
  if (node.value !== null && typeof node.value === 'object') return 'mapping';
  if (node.value === null && !/^[~nN]/.test(source.text.slice(node.offset, node.offset + 1))) return 'empty';
  return 'scalar';
}

/** For an unquoted, untagged, single-line scalar: the text as written (YAML 1.1 and 1.2 may read it differently). */
export function plainText(source: Pick<YamlSource, 'text'>, node: SourceNode): string | undefined {
  if (node.value !== null && typeof node.value === 'object') return undefined;
  if (`'"|>!&*`.includes(source.text[node.offset] ?? "'")) return undefined;
  const written = source.text.slice(node.offset, node.end).trimEnd();
  return written === '' || written.includes('\n') ? undefined : written;
}

function syntaxProblem(text: string, reason: string, offset: number): YamlProblem {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  if (/tab/i.test(reason) || /^ *\t/.test(text.slice(lineStart, offset + 1))) {
    return {
      offset,
      code: 'yaml-syntax',
      message: reason,
      hint: 'indent with spaces; YAML does not allow tabs',
    };
  }
  if (/more than one document|single document/i.test(reason)) {
    return {
      offset,
      code: 'yaml-syntax',
      message: reason,
      hint: 'keep one document per file (remove the ---)',
    };
  }
  if (/maxDepth/.test(reason)) {
    return {
      offset,
      code: 'yaml-too-deep',
      message: `nesting deeper than ${MAX_DEPTH} levels`,
      hint: 'the config files need a few levels at most; check the indentation',
    };
  }
  return { offset, code: 'yaml-syntax', message: reason, hint: 'fix the YAML syntax at this position' };
}

/** Reports every key that repeats an earlier one of the same mapping. */
function reportDuplicateKeys(list: (string | number)[], problems: YamlProblem[], lineStarts: number[]): void {
  // Mappings here have a handful of keys: comparing each key with the earlier ones allocates nothing. A big
  // mapping (only a hostile file has one) gets an index instead, to stay linear.
  const index = list.length > 64 * SLOTS ? new Map<string | number, number>() : undefined;
  for (let i = 0; i < list.length; i += 2 * SLOTS) {
    const first = index ? firstIndexed(index, list, i) : firstScanned(list, i);
    if (first === undefined) continue;
    problems.push({
      offset: list[i + 1] as number,
      code: 'yaml-duplicate-key',
      message: `duplicate key "${list[i]}" (first on line ${positionOf({ lineStarts }, list[first + 1] as number).line})`,
      hint: 'remove one of them: YAML keeps only the last, so the first is silently ignored',
    });
  }
}

/** The slot of the earlier occurrence of the key at slot i, by scanning the keys before it. */
function firstScanned(list: (string | number)[], i: number): number | undefined {
  for (let j = 0; j < i; j += 2 * SLOTS) if (list[j] === list[i]) return j;
  return undefined;
}

/** The same, with an index of the keys seen so far (for big mappings). */
function firstIndexed(
  index: Map<string | number, number>,
  list: (string | number)[],
  i: number,
): number | undefined {
  const first = index.get(list[i] as string);
  if (first === undefined) index.set(list[i] as string, i);
  return first;
}

/** Skips spaces, line breaks and comments before a node. */
function skipSeparation(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else break;
  }
  return i;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
export function positionOf(source: Pick<YamlSource, 'lineStarts'>, offset: number) {
  const starts = source.lineStarts;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - (starts[lo] as number) + 1 };
}

/** The key and value nodes of `key` in a mapping node (the last, as YAML keeps the last of duplicates). */
function entryOf(
  source: YamlSource,
  node: SourceNode,
  key: string,
): { key: SourceNode; value: SourceNode } | undefined {
  const mapping = node.value;
  if (mapping === null || typeof mapping !== 'object' || Array.isArray(mapping)) return undefined;
  const list = source.spans.get(mapping) ?? [];
  for (let i = list.length - 2 * SLOTS; i >= 0; i -= 2 * SLOTS) {
    if (list[i] !== key) continue;
    return {
      key: { offset: list[i + 1] as number, end: list[i + 2] as number, value: key },
      value: {
        offset: list[i + SLOTS + 1] as number,
        end: list[i + SLOTS + 2] as number,
        value: (mapping as Record<string, unknown>)[key],
      },
    };
  }
  return undefined;
}

function itemOf(source: YamlSource, node: SourceNode, index: number): SourceNode | undefined {
  if (!Array.isArray(node.value) || index >= node.value.length) return undefined;
  const list = source.spans.get(node.value) ?? [];
  const at = index * SLOTS;
  if (at + 2 >= list.length) return undefined;
  return { offset: list[at + 1] as number, end: list[at + 2] as number, value: node.value[index] };
}

/** The node at a value path, or the deepest existing ancestor. */
export function nodeAt(source: YamlSource, path: readonly PropertyKey[]): SourceNode {
  let node = source.root as SourceNode;
  for (const step of path) {
    const next =
      typeof step === 'number' ? itemOf(source, node, step) : entryOf(source, node, String(step))?.value;
    if (!next) break;
    node = next;
  }
  return node;
}

/** The key node of `key` in the mapping at path. */
export function keyNodeAt(
  source: YamlSource,
  path: readonly PropertyKey[],
  key: string,
): SourceNode | undefined {
  return entryOf(source, nodeAt(source, path), key)?.key;
}

/** Calls visit for every value node (keys excluded), depth first. */
export function forEachValueNode(
  source: YamlSource,
  visit: (node: SourceNode) => void,
  node = source.root,
): void {
  if (!node) return;
  visit(node);
  const value = node.value;
  if (value === null || typeof value !== 'object') return;
  const list = source.spans.get(value) ?? [];
  const isSequence = Array.isArray(value);
  const step = isSequence ? SLOTS : 2 * SLOTS;
  for (let i = isSequence ? 0 : SLOTS; i < list.length; i += step) {
    const child = isSequence
      ? value[i / SLOTS]
      : (value as Record<string, unknown>)[list[i - SLOTS] as string];
    forEachValueNode(source, visit, {
      offset: list[i + 1] as number,
      end: list[i + 2] as number,
      value: child,
    });
  }
}
