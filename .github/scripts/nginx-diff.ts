// The rendered NGINX section of the pull request plan: renders every environment with the base branch's code and
// config and with the pull request's, and diffs the files the image would ship. Template changes show up here too,
// not only config changes, because each side renders with its own templates.
// Usage (pr.yml): nginx-diff.ts --base <worktree of the base commit> --head <checkout> --out FILE
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { collapsible, fenced, isEntryPoint, truncateLines } from './markdown.ts';

/** Room for the whole NGINX section; the comment also holds the allowlist plan and the cdk diffs. */
const SECTION_LIMIT = 24_000;

export interface EnvironmentRendering {
  environment: string;
  /** Unified diff of the rendered files, '' when they are identical. */
  diff?: string;
  /** Why one side could not be rendered (e.g. the environment is new, or the base has errors). */
  baseError?: string;
  headError?: string;
}

export function nginxDiffSection(renderings: readonly EnvironmentRendering[]): string {
  const heading = '### Rendered NGINX configuration';
  if (renderings.length === 0) return `${heading}\n\nNo environment to render.`;
  const perEnvironment = Math.floor(SECTION_LIMIT / renderings.length);
  const parts = renderings.map(({ environment, diff, baseError, headError }) => {
    if (headError) return `- **${environment}**: the pull request does not render: ${oneLine(headError)}`;
    if (baseError) return `- **${environment}**: new, or the base did not render (${oneLine(baseError)}).`;
    if (!diff) return `- **${environment}**: unchanged.`;
    const changed = diff.split('\n').filter((l) => /^[+-](?![+-])/.test(l)).length;
    const body = fenced(truncateLines(diff, perEnvironment), 'diff');
    return collapsible(`<b>${environment}</b>: ${changed} line(s) changed`, body);
  });
  return `${heading}\n\n${parts.join('\n\n')}`;
}

function oneLine(text: string): string {
  const line = text.trim().split('\n').find(Boolean) ?? 'unknown error';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line.replaceAll('`', "'");
}

interface Run {
  ok: boolean;
  stdout: string;
  stderr: string;
}

function cli(checkout: string, args: string[]): Run {
  const result = spawnSync(process.execPath, ['bin/lattice-ingress.mjs', ...args], {
    cwd: checkout,
    encoding: 'utf8',
  });
  return {
    ok: result.status === 0,
    stdout: result.stdout ?? '',
    stderr: result.stderr || result.stdout || '',
  };
}

function environmentNames(checkout: string): string[] | undefined {
  const run = cli(checkout, ['environments', '--json']);
  if (!run.ok) return undefined;
  return (JSON.parse(run.stdout) as { name: string }[]).map((e) => e.name);
}

function renderAll(base: string, head: string): EnvironmentRendering[] {
  // The base worktree shares the pull request's packages rather than installing its own.
  if (!existsSync(join(base, 'node_modules')))
    symlinkSync(resolve(head, 'node_modules'), join(base, 'node_modules'));
  const names = [...new Set([...(environmentNames(head) ?? []), ...(environmentNames(base) ?? [])])];
  const out = mkdtempSync(join(tmpdir(), 'nginx-diff-'));
  return names.map((environment) => {
    const sides = { base: join(out, 'base', environment), pr: join(out, 'pr', environment) };
    const baseRun = cli(base, ['render', '--env', environment, '--out', sides.base]);
    const headRun = cli(head, ['render', '--env', environment, '--out', sides.pr]);
    if (!headRun.ok) return { environment, headError: headRun.stderr };
    if (!baseRun.ok) return { environment, baseError: baseRun.stderr };
    const args = ['diff', '--no-index', '--no-color', join('base', environment), join('pr', environment)];
    const diff = spawnSync('git', args, { cwd: out, encoding: 'utf8' });
    // git diff --no-index exits 1 when the trees differ and 2+ on trouble.
    if ((diff.status ?? 2) > 1) return { environment, headError: diff.stderr };
    return { environment, diff: diff.stdout };
  });
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({
    options: { base: { type: 'string' }, head: { type: 'string', default: '.' }, out: { type: 'string' } },
  });
  if (!values.base || !values.out) throw new Error('--base DIR and --out FILE are required');
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, `${nginxDiffSection(renderAll(values.base, values.head))}\n`);
}
