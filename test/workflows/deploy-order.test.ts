// The deploy-order guard as deploy-environment.yml runs it: plain Node.js 24 (no npm ci), a real git clone with the
// whole history, and the GitHub deployments API answered by the loopback stub.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitRelation } from '../../.github/scripts/deploy-order.ts';
import { type GitHubStub, startGitHubStub } from '../support/github-stub.ts';
import { NODE24 } from '../support/node24.ts';

const SCRIPT = resolve(import.meta.dirname, '../../.github/scripts/deploy-order.ts');

/** A clone with main a -> b -> c and a branch x off a. */
function history() {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-order-'));
  const identity = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com' };
  const env = { ...process.env, ...identity, GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, env, encoding: 'utf8' }).trim();
  git('init', '-q', '-b', 'main');
  const commit = (message: string) => {
    git('commit', '-q', '--allow-empty', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  const a = commit('a');
  const b = commit('b');
  const c = commit('c');
  git('checkout', '-q', '-b', 'x', a);
  const x = commit('x');
  return { dir, a, b, c, x };
}

describe('commitRelation (git merge-base in the clone)', () => {
  it('tells newer, older, same, diverged and unknown apart', () => {
    const { dir, a, b, c, x } = history();
    expect(commitRelation(dir, c, a)).toBe('newer');
    expect(commitRelation(dir, b, c)).toBe('older');
    expect(commitRelation(dir, b, b)).toBe('same');
    expect(commitRelation(dir, c, x)).toBe('diverged');
    expect(commitRelation(dir, c, 'f'.repeat(40))).toBe('unknown');
  });
});

describe.skipIf(NODE24.reason !== undefined)('the guard script on Node.js 24', () => {
  let github: GitHubStub;
  const repo = history();
  beforeAll(async () => {
    github = await startGitHubStub();
  });
  afterAll(() => github.close());

  /** Runs the script as a child process; asynchronously, since the stub answers from this process. */
  async function guard(environment: string, sha: string) {
    const out = mkdtempSync(join(tmpdir(), 'deploy-order-out-'));
    const output = join(out, 'output');
    const summary = join(out, 'summary');
    writeFileSync(output, '');
    const result = await promisify(execFile)(
      NODE24.node as string,
      [SCRIPT, '--environment', environment, '--sha', sha, '--output', output],
      {
        cwd: repo.dir,
        env: {
          PATH: process.env.PATH,
          GH_TOKEN: 'token',
          GITHUB_REPOSITORY: 'o/r',
          GITHUB_API_URL: github.url,
          GITHUB_STEP_SUMMARY: summary,
        },
        encoding: 'utf8',
      },
    );
    expect(result.stderr).toBe('');
    return {
      stdout: result.stdout,
      output: readFileSync(output, 'utf8'),
      summary: readFileSync(summary, 'utf8'),
    };
  }

  it('refuses an older commit once a newer one was deployed, whatever its state, and deploys a newer one', async () => {
    github.seed({
      sha: repo.c,
      environment: 'stage',
      imageTag: `git-${repo.c}`,
      states: ['failure'],
      createdAt: '2026-12-07T10:00:00Z',
    });
    github.seed({
      sha: repo.a,
      environment: 'stage',
      imageTag: `git-${repo.a}`,
      states: ['success'],
      createdAt: '2026-12-07T11:00:00Z',
    });
    const older = await guard('stage', repo.b);
    expect(older.output).toBe('deploy=false\n');
    expect(older.stdout).toContain('::notice title=Not deployed::stage has already had');
    expect(older.summary).toContain('Not deployed: ');
    expect((await guard('stage', repo.c)).output).toBe('deploy=true\n');
    expect((await guard('prod', repo.b)).output).toBe('deploy=true\n');
  });
});
