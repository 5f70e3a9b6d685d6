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
  kind: NodeKind;
  value: unknown;
  /** For an unquoted, untagged, single-line scalar: the text as written (YAML 1.1 and 1.2 may read it differently). */
  plain?: string;
  /** Mapping keys and values, in source order. */
  pairs?: { key: SourceNode; value: SourceNode }[];
  /** Sequence items. */
  items?: SourceNode[];
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

interface Frame {
  open: number;
  children: SourceNode[];
}

export function parseYamlSource(text: string): YamlSource {
  const lineStarts = computeLineStarts(text);
  const problems: YamlProblem[] = [];
  const stack: Frame[] = [];
  let root: SourceNode | undefined;

  const close = (frame: Frame, state: ListenerState): SourceNode => {
    const offset = skipSeparation(text, frame.open);
    const first = text[offset];
    const [only] = frame.children;
    // js-yaml reports some nodes twice (an outer and an inner composeNode call); keep one.
    if (frame.children.length === 1 && only !== undefined && Object.is(only.value, state.result)) return only;
    if (state.anchor !== null) {
      problems.push({
        offset,
        code: 'yaml-anchor',
        message: `anchor &${state.anchor} is not allowed`,
        hint: 'write the value out in full: anchors and aliases hide what a change does and can expand into huge documents',
      });
    }
    if (first === '*') {
      problems.push({
        offset,
        code: 'yaml-alias',
        message: 'aliases (*name) are not allowed',
        hint: 'write the value out in full instead of referring to an anchor',
      });
    }
    const node: SourceNode = { offset, kind: nodeKind(state.kind), value: state.result };
    if (node.kind === 'sequence') node.items = frame.children;
    if (node.kind === 'mapping') node.pairs = pairUp(frame.children, problems, lineStarts);
    if (node.kind === 'scalar' && first !== undefined && !`'"|>!&*`.includes(first)) {
      const written = text.slice(offset, state.position).trimEnd();
      if (!written.includes('\n')) node.plain = written;
    }
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
          stack.push({ open: state.position, children: [] });
          return;
        }
        const frame = stack.pop();
        if (!frame) return;
        const node = close(frame, state as unknown as ListenerState);
        const parent = stack.at(-1);
        if (parent) parent.children.push(node);
        else root = node;
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

/** Mapping children arrive as key, value, key, value...; pairs them and reports duplicate keys. */
function pairUp(children: SourceNode[], problems: YamlProblem[], lineStarts: number[]): SourceNode['pairs'] {
  const pairs: NonNullable<SourceNode['pairs']> = [];
  const seen = new Map<string, SourceNode>();
  for (let i = 0; i + 1 < children.length; i += 2) {
    const key = children[i] as SourceNode;
    const value = children[i + 1] as SourceNode;
    const name = String(key.value);
    const first = seen.get(name);
    if (first) {
      problems.push({
        offset: key.offset,
        code: 'yaml-duplicate-key',
        message: `duplicate key "${name}" (first on line ${positionOf({ lineStarts }, first.offset).line})`,
        hint: 'remove one of them: YAML keeps only the last, so the first is silently ignored',
      });
    } else seen.set(name, key);
    pairs.push({ key, value });
  }
  return pairs;
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

/** The node at a value path, or the deepest existing ancestor. */
export function nodeAt(root: SourceNode, path: readonly PropertyKey[]): SourceNode {
  let node = root;
  for (const step of path) {
    const next =
      typeof step === 'number'
        ? node.items?.[step]
        : node.pairs?.findLast((pair) => String(pair.key.value) === String(step))?.value;
    if (!next) break;
    node = next;
  }
  return node;
}

/** The key node of the last path step, when the path ends in a mapping key. */
export function keyNodeAt(
  root: SourceNode,
  path: readonly PropertyKey[],
  key: string,
): SourceNode | undefined {
  return nodeAt(root, path).pairs?.find((pair) => String(pair.key.value) === key)?.key;
}
