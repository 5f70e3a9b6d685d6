// The bundled validate action, run as the runner runs it, on the example config and on a broken copy.

import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

describe('validate action (bundled)', () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), 'validate-action-'));
    await cp(SAMPLE_CONFIG_DIR, join(workspace, 'config'), { recursive: true });
    await cp(SAMPLE_CONFIG_DIR, join(workspace, 'broken'), { recursive: true });
    const services = join(workspace, 'broken', 'services.yaml');
    // An unknown key on a known line: the annotation must point at it.
    const text = await readFile(services, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((line) => /^\s+- name:/.test(line));
    lines.splice(at + 1, 0, '    colour: blue');
    await writeFile(services, lines.join('\n'));
  });
  afterAll(() => rm(workspace, { recursive: true, force: true }));

  it('passes on the example configuration and says so in the summary', async () => {
    const run = await runAction('validate', { cwd: workspace });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ errors: '0' });
    expect(run.summary).toContain('## Configuration check: `config`');
    expect(run.summary).toMatch(/✅ valid|⚠️ valid/);
    expect(run.annotations.filter((a) => a.command === 'error')).toEqual([]);
  });

  it('fails with an annotation on the offending line and a table in the summary', async () => {
    const run = await runAction('validate', { cwd: workspace, inputs: { 'config-dir': 'broken' } });
    expect(run.exitCode).toBe(1);
    expect(run.outputs.errors).toBe('1');
    const lines = (await readFile(join(workspace, 'broken', 'services.yaml'), 'utf8')).split('\n');
    const line = lines.indexOf('    colour: blue') + 1;
    expect(run.annotations).toContainEqual(
      expect.objectContaining({
        command: 'error',
        properties: expect.objectContaining({ file: 'broken/services.yaml', line: String(line), col: '5' }),
      }),
    );
    expect(run.summary).toContain('❌ 1 error(s)');
    expect(run.summary).toContain(`broken/services.yaml:${line}:5`);
    expect(run.stdout).toContain('::error::broken has 1 error(s)');
  });

  it('on a pull request, adds the plan against base-ref to the summary and writes the plan file', async () => {
    const git = (...args: string[]) =>
      promisify(execFile)('git', [
        '-C',
        workspace,
        '-c',
        'user.name=t',
        '-c',
        'user.email=t@example.com',
        ...args,
      ]);
    await git('init', '-q');
    await git('add', 'config');
    await git('commit', '-q', '-m', 'base');
    const base = (await git('rev-parse', 'HEAD')).stdout.trim();
    const allowlist = join(workspace, 'config', 'allowlist.yaml');
    await writeFile(
      allowlist,
      (await readFile(allowlist, 'utf8')).replace(
        'entries:\n',
        'entries:\n  - cidr: 100.64.10.0/24\n    description: New branch office\n',
      ),
    );
    const planFile = join(workspace, 'out', 'plan', '10-validate.md');
    const run = await runAction('validate', {
      cwd: workspace,
      event: { name: 'pull_request', payload: { pull_request: { base: { sha: base } } } },
      inputs: { 'base-ref': base, 'plan-file': planFile },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs['plan-file']).toBe(planFile);
    const plan = await readFile(planFile, 'utf8');
    expect(plan).toContain('100.64.10.0/24');
    expect(run.summary).toContain('## Configuration check');
    expect(run.summary).toContain(plan.trim().split('\n')[0]);
    expect(run.summary).toContain('100.64.10.0/24');

    // Without base-ref, a pull_request event's base commit is used.
    const fromEvent = await runAction('validate', {
      cwd: workspace,
      event: { name: 'pull_request', payload: { pull_request: { base: { sha: base } } } },
    });
    expect(fromEvent.exitCode).toBe(0);
    expect(fromEvent.summary).toContain('100.64.10.0/24');
  });
});
