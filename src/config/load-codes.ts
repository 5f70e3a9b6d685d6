// The codes the loader reports before any rule runs: the file itself, its YAML, and the schema. Declared here once,
// like a rule's codes, so the code table in docs/configuration.md is generated from them too.
import type { CodeDeclaration } from './diagnostics.ts';

export const LOAD_CODES = {
  'file-too-large': {
    severity: 'error',
    summary: 'over 16 MiB (100,000 allowlist entries are about 7 MB)',
  },
  'not-utf8': { severity: 'error', summary: 'invalid UTF-8, located at the first bad byte' },
  'yaml-syntax': {
    severity: 'error',
    summary: 'not YAML, several documents, tabs for indentation',
  },
  'yaml-too-deep': { severity: 'error', summary: 'nesting over 32 levels' },
  'yaml-duplicate-key': {
    severity: 'error',
    summary: 'a key twice in one mapping (YAML would silently keep the last)',
  },
  'yaml-anchor': {
    severity: 'error',
    summary: '`&anchor` is refused outright: anchors hide what a change does',
  },
  'yaml-alias': {
    severity: 'error',
    summary: '`*alias` is refused outright: aliases are how "billion laughs" expansion bombs work',
  },
  'empty-file': { severity: 'error', summary: 'nothing but comments' },
  'description-comment': {
    severity: 'warning',
    summary:
      'a ` #` after an unquoted description started a YAML comment, so the description stops before it; quote the description if the `#` belongs to it',
  },
  'unknown-key': {
    severity: 'error',
    summary: 'a key the schema does not have, with "did you mean" (case, abbreviation, or edit distance)',
  },
  'missing-key': {
    severity: 'error',
    summary: 'a required key is absent; a misspelt required key is reported once, as `unknown-key`',
  },
  'wrong-type': {
    severity: 'error',
    summary: 'a value of the wrong type, with what YAML read and how to write it',
  },
  'invalid-value': {
    severity: 'error',
    summary: 'a value the schema refuses (pattern, range, one of a list)',
  },
  'yaml-ambiguous-scalar': {
    severity: 'warning',
    summary:
      'an unquoted value YAML 1.1 tools read differently: `yes`/`no`/`on`/`off` (booleans), `0644` (octal 420), `1:30` (base-60 90), `0b101`, `1_000`, `0o17` (text in 1.1)',
  },
} as const satisfies Record<string, CodeDeclaration>;

export type LoadCode = keyof typeof LOAD_CODES;

/** The code with its declared severity, to spread into a diagnostic. */
export function declared(code: LoadCode): { severity: CodeDeclaration['severity']; code: LoadCode } {
  return { severity: LOAD_CODES[code].severity, code };
}
