// Builds config sources from the sample configuration the tests own, with some files replaced, for tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sortDiagnostics } from '../../src/config/diagnostics.ts';
import type { ExpiredEntries } from '../../src/config/expiry.ts';
import { type ConfigSources, type ParseResult, parseConfig } from '../../src/config/load.ts';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
export const EXAMPLE_DIR = SAMPLE_CONFIG_DIR;
/** A fixed "today" so expiry findings do not depend on when the tests run. */
export const TODAY = new Date('2026-01-15T12:00:00Z');

export function exampleText(part: ConfigPart): string {
  return readFileSync(join(EXAMPLE_DIR, CONFIG_FILES[part].file), 'utf8');
}

export function sources(overrides: Partial<Record<ConfigPart, string | Uint8Array>> = {}): ConfigSources {
  const entries = (Object.keys(CONFIG_FILES) as ConfigPart[]).map((part) => {
    const content = overrides[part] ?? exampleText(part);
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return [part, { path: `config/${CONFIG_FILES[part].file}`, bytes }] as const;
  });
  return Object.fromEntries(entries) as ConfigSources;
}

export function parse(
  overrides: Partial<Record<ConfigPart, string | Uint8Array>> = {},
  now = TODAY,
  expired?: ExpiredEntries,
): ParseResult {
  return parseConfig(sources(overrides), { now, ...(expired ? { expired } : {}) });
}

/** Diagnostics as compact strings ("allowlist.yaml:13:11 error cidr-not-canonical"), for readable assertions. */
export function summary(result: ParseResult): string[] {
  return sortDiagnostics(result.diagnostics).map(
    (d) => `${d.file.replace(/^config\//, '')}:${d.line}:${d.column} ${d.severity} ${d.code}`,
  );
}

/** An allowlist file with the given entries (each a YAML flow mapping body, e.g. "cidr: 10.0.0.0/8, description: x"). */
export function allowlistYaml(entries: string[], header = 'allowAnyAddress: false'): string {
  return `${header}\nentries:\n${entries.map((e) => `  - {${e}}\n`).join('')}`;
}
