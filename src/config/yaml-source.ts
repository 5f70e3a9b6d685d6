// YAML text -> plain value, plus a tree of source positions so every later finding points at its node.
//
// js-yaml does the parsing (YAML 1.2 core schema); its parse-event listener feeds the position tree. It was chosen
// over `yaml` for speed: a 100,000-entry allowlist parses about ten times faster, which keeps validation of
// large allowlists well under the two-second budget (see `npm run bench:validate`).
import jsYaml from 'js-yaml';

export type NodeKind = 'mapping' | 'sequence' | 'scalar' | 'empty';

export interface SourceNode {
  /** Offset of the node's first character (its anchor or tag, if any). */
  offset: number;
  /** Offset just past the node. */
  end: number;
  kind: NodeKind;
  value: unknown;
  /** Mapping: key, value, key, value... in source order. Sequence: the items. */
  children?: SourceNode[];
}

/** A finding at the YAML level (syntax, refused constructs). */
export interface YamlProblem {
  offset: number;
  code: string;
  message: string;
  hint: string;
}

export interface YamlSource {
  text: string;
  /** Present when the text parsed and uses no refused construct. */
  value?: unknown;
  root?: SourceNode;
  problems: YamlProblem[];
  /** Offsets at which each line starts, for offset -> line:column. */
  lineStarts: number[];
}

/** Nesting deeper than this is refused; the config files need five levels. */
const MAX_DEPTH = 32;

interface ListenerState {
  position: number;
  kind: string | null;
  result: unknown;
  anchor: string | null;
  tag: string | null;
}

export function parseYamlSource(text: string): YamlSource {
  const lineStarts = computeLineStarts(text);
  const problems: YamlProblem[] = [];
  // One entry per open node: where it opened, and its children so far (allocated on the first child).
  const opens: number[] = [];
  const kids: (SourceNode[] | undefined)[] = [];
  let root: SourceNode | undefined;

  const close = (open: number, children: SourceNode[] | undefined, state: ListenerState): SourceNode => {
    const only = children?.length === 1 ? children[0] : undefined;
    // js-yaml reports some nodes twice (an outer and an inner composeNode call); keep one.
    if (only && Object.is(only.value, state.result)) return only;
    const offset = skipSeparation(text, open);
    if (state.anchor !== null) {
      problems.push({
        offset,
        code: 'yaml-anchor',
        message: `anchor &${state.anchor} is not allowed`,
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
    const kind = nodeKind(state.kind);
    const node: SourceNode = { offset, end: state.position, kind, value: state.result, children };
    if (kind === 'mapping' && children) reportDuplicateKeys(children, problems, lineStarts);
    return node;
  };

  try {
    const value = jsYaml.load(text, {
      schema: jsYaml.CORE_SCHEMA,
      // Duplicate keys are detected below, so that all of them are reported with both positions.
      json: true,
      maxDepth: MAX_DEPTH,
      listener(event, state) {
        if (event === 'open') {
          opens.push(state.position);
          kids.push(undefined);
          return;
        }
        const open = opens.pop();
        if (open === undefined) return;
        const node = close(open, kids.pop(), state as unknown as ListenerState);
        const depth = kids.length;
        if (depth === 0) root = node;
        else {
          const siblings = kids[depth - 1];
          if (siblings) siblings.push(node);
          else kids[depth - 1] = [node];
        }
      },
    } as jsYaml.LoadOptions);
    if (problems.length > 0) return { text, problems, lineStarts, root };
    return { text, value, root, problems, lineStarts };
  } catch (error) {
    if (!(error instanceof jsYaml.YAMLException)) throw error;
    const mark = (error as jsYaml.YAMLException & { mark?: { position: number } }).mark;
    problems.push(syntaxProblem(text, error.reason, mark?.position ?? 0));
    return { text, problems, lineStarts };
  }
}

/** For an unquoted, untagged, single-line scalar: the text as written (YAML 1.1 and 1.2 may read it differently). */
export function plainText(source: Pick<YamlSource, 'text'>, node: SourceNode): string | undefined {
  if (node.kind !== 'scalar' || `'"|>!&*`.includes(source.text[node.offset] ?? "'")) return undefined;
  const written = source.text.slice(node.offset, node.end).trimEnd();
  return written.includes('\n') ? undefined : written;
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

function nodeKind(kind: string | null): NodeKind {
  return kind === 'mapping' || kind === 'sequence' || kind === 'scalar' ? kind : 'empty';
}

/** Reports every key that repeats an earlier one of the same mapping (children: key, value, key, value...). */
function reportDuplicateKeys(children: SourceNode[], problems: YamlProblem[], lineStarts: number[]): void {
  const first = new Map<string, SourceNode>();
  for (let i = 0; i < children.length; i += 2) {
    const key = children[i] as SourceNode;
    const name = String(key.value);
    const earlier = first.get(name);
    if (!earlier) {
      first.set(name, key);
      continue;
    }
    problems.push({
      offset: key.offset,
      code: 'yaml-duplicate-key',
      message: `duplicate key "${name}" (first on line ${positionOf({ lineStarts }, earlier.offset).line})`,
      hint: 'remove one of them: YAML keeps only the last, so the first is silently ignored',
    });
  }
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

/** The value node of a mapping key (the last one, as YAML keeps the last of duplicates). */
function valueOfKey(node: SourceNode, key: string): { key: SourceNode; value: SourceNode } | undefined {
  const children = node.kind === 'mapping' ? node.children : undefined;
  if (!children) return undefined;
  for (let i = children.length - 2; i >= 0; i -= 2) {
    const keyNode = children[i] as SourceNode;
    if (String(keyNode.value) === key) return { key: keyNode, value: children[i + 1] as SourceNode };
  }
  return undefined;
}

/** The node at a value path, or the deepest existing ancestor. */
export function nodeAt(root: SourceNode, path: readonly PropertyKey[]): SourceNode {
  let node = root;
  for (const step of path) {
    const next =
      typeof step === 'number'
        ? node.kind === 'sequence'
          ? node.children?.[step]
          : undefined
        : valueOfKey(node, String(step))?.value;
    if (!next) break;
    node = next;
  }
  return node;
}

/** The key node of `key` in the mapping at path. */
export function keyNodeAt(
  root: SourceNode,
  path: readonly PropertyKey[],
  key: string,
): SourceNode | undefined {
  return valueOfKey(nodeAt(root, path), key)?.key;
}

/** Every value node below a node (keys excluded), depth first. */
export function* valueNodes(node: SourceNode): Generator<SourceNode> {
  yield node;
  const children = node.children ?? [];
  const step = node.kind === 'mapping' ? 2 : 1;
  for (let i = node.kind === 'mapping' ? 1 : 0; i < children.length; i += step) {
    yield* valueNodes(children[i] as SourceNode);
  }
}
