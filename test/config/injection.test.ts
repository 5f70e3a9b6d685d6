// Every string value of every file, replaced by hostile text, must be refused with a location. The list of fields
// comes from the generated JSON Schemas, so a string field added later without a test fails here.

import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';
import { renderJsonSchemas, schemaFileName } from '../../src/config/schemas.ts';
import { fullConfig, type LeafPath, leaves, parseRaw, setIn } from './full-config.ts';

/** Ways to turn a valid value into one that could carry NGINX syntax or fool a reader. */
const HOSTILE: Record<string, (valid: string) => string> = {
  semicolon: (v) => `${v}; return 200`,
  'open brace': (v) => `${v}{`,
  'close brace': (v) => `${v} } server {`,
  'single quote': (v) => `${v}'`,
  'double quote': (v) => `"${v}`,
  dollar: (v) => `${v}$host`,
  newline: (v) => `${v}\nallow all;`,
  'carriage return': (v) => `${v}\rx`,
  hash: (v) => `${v}#`,
  backslash: (v) => `${v}\\`,
  backtick: (v) => `${v}\``,
  pipe: (v) => `${v}|x`,
  'Cyrillic look-alike': (v) =>
    /[aeo]/.test(v) ? v.replace(/[aeo]/, (c) => ({ a: 'а', e: 'е', o: 'о' })[c] as string) : `а${v}`,
  'fullwidth dot': (v) => (v.includes('.') ? v.replace('.', '．') : `${v}．`),
  'zero-width space': (v) => `${v.slice(0, 1)}\u200b${v.slice(1)}`,
  NUL: (v) => `${v}\u0000`,
  'very long': (v) => `${v}${'a'.repeat(300)}`,
  empty: () => '',
};
/** Ordinary text in a description (O'Brien, Rack #4); descriptions never reach the NGINX config. */
const DESCRIPTION_TEXT = new Set(['single quote', 'hash']);

function stringFields(part: ConfigPart): string[] {
  const schema = JSON.parse(renderJsonSchemas().get(schemaFileName(part)) as string);
  const found: string[] = [];
  const walk = (node: Record<string, unknown>, path: string) => {
    if (node.type === 'string') found.push(path);
    for (const [key, child] of Object.entries(
      (node.properties ?? {}) as Record<string, Record<string, unknown>>,
    )) {
      walk(child, path ? `${path}.${key}` : key);
    }
    if (node.items) walk(node.items as Record<string, unknown>, `${path}[]`);
  };
  walk(schema, '');
  return found.sort();
}

const shape = (path: LeafPath) =>
  path
    .map((p) => (typeof p === 'number' ? '[]' : `.${p}`))
    .join('')
    .replace(/^\./, '')
    .replace(/\.\[\]/g, '[]');

/** Line of a node, found with a different YAML parser than the one under test. */
function lineOf(text: string, path: LeafPath): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  if (!node?.range) throw new Error(`no node at ${path.join('.')}`);
  return lines.linePos(node.range[0]).line;
}

const parts = Object.keys(CONFIG_FILES) as ConfigPart[];

describe('injection-proof model', () => {
  it('the fixture is valid and sets every string field the schemas define', () => {
    const raw = fullConfig();
    expect(parseRaw(raw).result.diagnostics).toEqual([]);
    for (const part of parts) {
      const covered = [
        ...new Set(
          leaves(raw[part])
            .filter((l) => typeof l.value === 'string')
            .map((l) => shape(l.path)),
        ),
      ];
      expect(covered.sort(), part).toEqual(stringFields(part));
    }
  });

  const cases = parts.flatMap((part) =>
    leaves(fullConfig()[part])
      .filter((leaf) => typeof leaf.value === 'string')
      .map((leaf) => ({ part, path: leaf.path, label: leaf.path.join('.'), valid: leaf.value as string })),
  );

  it.each(cases)('refuses hostile values in $part $label', ({ part, path, valid }) => {
    for (const [name, hostile] of Object.entries(HOSTILE)) {
      if (path.at(-1) === 'description' && DESCRIPTION_TEXT.has(name)) continue;
      const raw = fullConfig();
      const value = hostile(valid);
      setIn(raw[part], path, value);
      const { texts, result } = parseRaw(raw);
      const errors = result.diagnostics.filter((d) => d.severity === 'error');
      const line = lineOf(texts[part], path);
      expect(result.config, `${name}: ${JSON.stringify(value)}`).toBeUndefined();
      expect(
        errors.some((d) => d.file === CONFIG_FILES[part].file && d.line === line && d.column > 1),
        `${name}: ${JSON.stringify(value)} should be refused at line ${line}: ${JSON.stringify(errors)}`,
      ).toBe(true);
    }
  });
});
