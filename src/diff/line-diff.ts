// Unified diff of two texts, line by line. Small on purpose: a change to a rendered NGINX file is usually a few
// lines inside a long common prefix and suffix (an allowlist of 100,000 entries renders as many lines), so a
// longest-common-subsequence table over the part between them is fast enough, and the rest is linear.

interface Edit {
  kind: ' ' | '-' | '+';
  line: string;
}

/** Beyond this many cells the changed middle is shown as removed then added, instead of aligned. */
const MAX_TABLE_CELLS = 4_000_000;

function lineEdits(before: string[], after: string[]): Edit[] {
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
  const a = before.slice(prefix, before.length - suffix);
  const b = after.slice(prefix, after.length - suffix);
  const keep = (lines: string[]): Edit[] => lines.map((line) => ({ kind: ' ', line }));
  return [
    ...keep(before.slice(0, prefix)),
    ...middleEdits(a, b),
    ...keep(before.slice(before.length - suffix)),
  ];
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
  const edits = lineEdits(splitLines(before), splitLines(after));
  const changed = edits.flatMap((edit, index) => (edit.kind === ' ' ? [] : [index]));
  const out = [`--- ${names.from}`, `+++ ${names.to}`];
  // Line numbers before each hunk, counted once front to back (hunks come in order).
  let counted = 0;
  let oldLine = 0;
  let newLine = 0;
  let h = 0;
  while (h < changed.length) {
    // Group changes whose unchanged gap is small enough to share context.
    let last = changed[h] as number;
    let next = h + 1;
    while (next < changed.length && (changed[next] as number) - last <= 2 * context)
      last = changed[next++] as number;
    const start = Math.max(0, (changed[h] as number) - context);
    const end = Math.min(edits.length, last + context + 1);
    for (; counted < start; counted++) {
      const kind = (edits[counted] as Edit).kind;
      if (kind !== '+') oldLine++;
      if (kind !== '-') newLine++;
    }
    const hunk = edits.slice(start, end);
    const oldLength = hunk.filter((e) => e.kind !== '+').length;
    const newLength = hunk.filter((e) => e.kind !== '-').length;
    const range = (first: number, length: number) => `${length === 0 ? first : first + 1},${length}`;
    out.push(`@@ -${range(oldLine, oldLength)} +${range(newLine, newLength)} @@`);
    for (const edit of hunk) out.push(`${edit.kind}${edit.line}`);
    h = next;
  }
  return `${out.join('\n')}\n`;
}
