// Every edit the tool makes to allowlist.yaml (removing expired entries, narrowing a revoked range, importing a
// spreadsheet, canonicalising ranges) goes through this one editor, built on the `yaml` library's Document API:
// comments, order and the style of untouched values stay as their authors wrote them, and every value written is
// quoted when YAML needs it (a description with ": " or a leading "-"), so an edit always parses.
import { type Document, isMap, isSeq, parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import type { AllowlistEntry } from '../config/model.ts';
import type { YamlSource } from '../config/yaml-source.ts';

/** Fields in the order people read them. */
const FIELD_ORDER: readonly (keyof AllowlistEntry)[] = [
  'cidr',
  'description',
  'expires',
  'services',
  'connectionsPerClient',
];

export class AllowlistDocument {
  private readonly document: Document.Parsed;
  private readonly entries: YAMLSeq;

  constructor(private readonly text: string) {
    this.document = parseDocument(text, { keepSourceTokens: false });
    if (this.document.errors.length > 0) {
      throw new Error(`allowlist.yaml does not parse: ${this.document.errors[0]?.message}`);
    }
    if (!isMap(this.document.contents))
      throw new Error('allowlist.yaml is not a mapping with an entries list');
    const entries = this.document.get('entries', true);
    if (isSeq(entries)) this.entries = entries;
    else {
      // No list yet (or `entries:` with nothing): start one.
      this.entries = this.document.createNode([]) as YAMLSeq;
      this.document.set('entries', this.entries);
    }
  }

  get length(): number {
    return this.entries.items.length;
  }

  /**
   * Swaps the entry at each index for the entries given (none: the entry and the comments above it go; several:
   * the first keeps those comments).
   */
  replace(replace: ReadonlyMap<number, readonly AllowlistEntry[]>): void {
    // Bottom up, so the indexes still to do stay valid.
    for (const index of [...replace.keys()].sort((a, b) => b - a)) {
      const old = this.entries.items[index];
      if (old === undefined) throw new Error(`allowlist.yaml has no entry ${index + 1}`);
      const nodes = (replace.get(index) ?? []).map((entry) => this.entryNode(entry));
      const [first] = nodes;
      if (first && isMap(old)) {
        first.commentBefore = old.commentBefore;
        first.spaceBefore = old.spaceBefore;
      }
      this.entries.items.splice(index, 1, ...nodes);
    }
  }

  append(entries: readonly AllowlistEntry[]): void {
    for (const entry of entries) this.entries.items.push(this.entryNode(entry));
  }

  /** Removes every entry, keeping the comments of the document. */
  clear(): void {
    this.entries.items.splice(0);
  }

  /** Rewrites one field of the entry at an index, keeping the entry's comments. */
  setField(index: number, field: keyof AllowlistEntry, value: string): void {
    const entry = this.entries.items[index];
    if (!isMap(entry)) throw new Error(`allowlist.yaml: entry ${index + 1} is not a mapping`);
    entry.set(field, value);
  }

  toString(): string {
    // An empty block list would read as null: say "no entries" explicitly.
    this.entries.flow = this.entries.items.length === 0 || this.entries.flow;
    return this.document.toString({ lineWidth: 0, indentSeq: this.indentSeq() });
  }

  private entryNode(entry: AllowlistEntry): YAMLMap {
    const ordered = Object.fromEntries(
      FIELD_ORDER.filter((field) => entry[field] !== undefined).map((field) => [field, entry[field]]),
    );
    const node = this.document.createNode(ordered) as YAMLMap;
    const services = node.get('services', true);
    if (isSeq(services)) services.flow = true;
    return node;
  }

  /** Whether the file indents list items under their key (`entries:\n  - cidr`), as the example does. */
  private indentSeq(): boolean {
    const start = this.entries.range?.[0];
    if (start === undefined || this.entries.flow) return true;
    return start > this.text.lastIndexOf('\n', start - 1) + 1;
  }
}

/**
 * allowlist.yaml with each entry at an index of `replace` swapped for the entries given (none: the entry and its
 * comments go).
 */
export function replaceEntries(
  source: Pick<YamlSource, 'text'>,
  replace: ReadonlyMap<number, readonly AllowlistEntry[]>,
): string {
  if (replace.size === 0) return source.text;
  const document = new AllowlistDocument(source.text);
  document.replace(replace);
  return document.toString();
}
