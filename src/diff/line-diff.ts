// Unified diff of two texts, line by line. Small on purpose: a change to a rendered NGINX file is usually a few
// lines inside a long common prefix and suffix (an allowlist of 100,000 entries renders as many lines), so a
// longest-common-subsequence table over the part between them is fast enough, and the rest is linear.

interface Edit {
  kind: ' ' | '-' | '+';
  line: string;
}

/** Beyond this many cells the changed middle is shown as removed then added, instead of aligned. */
const MAX_TABLE_CELLS = 4_000_000;

/**
 * The edits from `before` to `after`: the common prefix and suffix kept, the middle aligned. The kept lines are
 * described by their count, not listed: they can be 100,000 lines of which a hunk shows three.
 */
class LineEdits {
  readonly length: number;
  private readonly prefix: number;
  private readonly middle: Edit[];

  constructor(
    private readonly before: string[],
    after: string[],
  ) {
    let prefix = 0;
    while (prefix < before.length && prefix < after.length && before[prefix] === after[prefix]) prefix++;
    let suffix = 0;
    while (
      suffix < before.length - prefix &&
      suffix < after.length - prefix &&
      before[before.length - 1 - suffix] === after[after.length - 1 - suffix]
    ) {
      suffix++;
    }
    this.prefix = prefix;
    this.middle = middleEdits(
      before.slice(prefix, before.length - suffix),
      after.slice(prefix, after.length - suffix),
    );
    this.length = prefix + this.middle.length + suffix;
  }

  /** Indexes of the edits that remove or add a line, in order. */
  changed(): number[] {
    return this.middle.flatMap((edit, index) => (edit.kind === ' ' ? [] : [this.prefix + index]));
  }

  at(index: number): Edit {
    if (index < this.prefix) return { kind: ' ', line: this.before[index] as string };
    const inMiddle = index - this.prefix;
    if (inMiddle < this.middle.length) return this.middle[inMiddle] as Edit;
    const fromEnd = this.length - index;
    return { kind: ' ', line: this.before[this.before.length - fromEnd] as string };
  }

  /** Lines of `before` and of `after` that the edits before `index` cover. */
  linesBefore(index: number): { old: number; new: number } {
    const lines = { old: Math.min(index, this.prefix), new: Math.min(index, this.prefix) };
    for (let i = this.prefix; i < Math.min(index, this.prefix + this.middle.length); i++) {
      const kind = (this.middle[i - this.prefix] as Edit).kind;
      if (kind !== '+') lines.old++;
      if (kind !== '-') lines.new++;
    }
    const inSuffix = Math.max(0, index - this.prefix - this.middle.length);
    return { old: lines.old + inSuffix, new: lines.new + inSuffix };
  }
}

function middleEdits(a: string[], b: string[]): Edit[] {
  const removed = a.map((line): Edit => ({ kind: '-', line }));
  const added = b.map((line): Edit => ({ kind: '+', line }));
  if (a.length === 0 || b.length === 0 || (a.length + 1) * (b.length + 1) > MAX_TABLE_CELLS) {
    return [...removed, ...added];
  }
  // lcs[i * width + j] = length of the LCS of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ kind: ' ', line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number)) {
      edits.push(removed[i++] as Edit);
    } else {
      edits.push(added[j++] as Edit);
    }
  }
  return [...edits, ...removed.slice(i), ...added.slice(j)];
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** `diff -u` style output; empty when the texts are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  names: { from: string; to: string },
  context = 3,
): string {
  if (before === after) return '';
  const edits = new LineEdits(splitLines(before), splitLines(after));
  const changed = edits.changed();
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  let h = 0;
  while (h < changed.length) {
    // Group changes whose unchanged gap is small enough to share context (at most 2 x context lines, as diff -u).
    let last = changed[h] as number;
    let next = h + 1;
    while (next < changed.length && (changed[next] as number) - last - 1 <= 2 * context)
      last = changed[next++] as number;
    const start = Math.max(0, (changed[h] as number) - context);
    const end = Math.min(edits.length, last + context + 1);
    const hunk = Array.from({ length: end - start }, (_, i) => edits.at(start + i));
    const lines = edits.linesBefore(start);
    const oldLength = hunk.filter((e) => e.kind !== '+').length;
    const newLength = hunk.filter((e) => e.kind !== '-').length;
    const range = (first: number, length: number) => `${length === 0 ? first : first + 1},${length}`;
    out.push(`@@ -${range(lines.old, oldLength)} +${range(lines.new, newLength)} @@`);
    for (const edit of hunk) out.push(`${edit.kind}${edit.line}`);
    h = next;
  }
  return `${out.join('\n')}\n`;
}
