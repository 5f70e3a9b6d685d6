// The YAML snippets of docs/operations.md, pasted as shown into a copy of the sample configuration, validate.
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { pasteSnippet, yamlSnippets } from '../support/doc-snippets.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { REPO_ROOT, TODAY } from './sources.ts';

const snippets = yamlSnippets(await readFile(join(REPO_ROOT, 'docs/operations.md'), 'utf8'));
let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'doc-snippets-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('docs/operations.md YAML snippets', () => {
  it('are found (the allowlist, service, per-service access and connection limit examples)', () => {
    expect(snippets.map((snippet) => snippet.split('\n')[0])).toEqual([
      'entries:',
      'services:',
      'entries:',
      'entries:',
    ]);
  });

  it.each(snippets.map((snippet, index) => [index, snippet] as const))(
    'snippet %i pastes into the sample configuration and validates without findings',
    async (index, snippet) => {
      const dir = join(scratch, String(index));
      await cp(SAMPLE_CONFIG_DIR, dir, { recursive: true });
      const file = await pasteSnippet(dir, snippet);
      const before = await loadConfig(SAMPLE_CONFIG_DIR, { now: TODAY });
      const after = await loadConfig(dir, { now: TODAY });
      expect(after.diagnostics).toEqual([]);
      const part = file === 'allowlist.yaml' ? 'allowlist' : 'services';
      const count = (result: typeof after) =>
        part === 'allowlist'
          ? result.config?.allowlist.entries.length
          : result.config?.services.services.length;
      expect(count(after)).toBe((count(before) ?? 0) + 1);
    },
  );
});
