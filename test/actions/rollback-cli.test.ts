// `lattice-ingress rollback`, the same logic as the rollback action from a workstation, run as a person runs it.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, RUNNER_DEFAULTS } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { useStubs } from '../support/stubs.ts';
import { type ConfigHistory, configHistory, git, unchanged } from './config-history.ts';
import { FleetSimulator, NEW_TAG, OLD_TAG } from './fleet-simulator.ts';

const stubs = useStubs();

/** The deployed commits: OLD_TAG was built from the first, NEW_TAG (running now) from the second. */
let history: ConfigHistory;
const clones: string[] = [];
beforeAll(async () => {
  history = await configHistory(unchanged, unchanged);
});
afterAll(async () => {
  await history.remove();
  await Promise.all(clones.map((clone) => rm(clone, { recursive: true, force: true })));
});

function seedDeployments() {
  const [oldSha = '', newSha = ''] = history.shas;
  stubs.github.seed({
    sha: oldSha,
    environment: 'staging',
    imageTag: OLD_TAG,
    states: ['success'],
    createdAt: '2026-11-01T00:00:00Z',
  });
  stubs.github.seed({
    sha: newSha,
    environment: 'staging',
    imageTag: NEW_TAG,
    states: ['success'],
    createdAt: '2026-11-02T00:00:00Z',
  });
  stubs.aws.set(new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG }).stubTable());
}

/**
 * `lattice-ingress rollback` from a workstation with credentials and a GitHub token, in `cwd`; the environment
 * named with `envFlag` (--env, or its older spelling --environment).
 */
function rollbackFrom(configDir: string, args: string[], envFlag = '--env') {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/lattice-ingress.mjs'),
        'rollback',
        '--config',
        configDir,
        envFlag,
        'staging',
        '--reason',
        'bad deploy',
        '--poll-interval-seconds',
        '0.02',
        ...args,
      ],
      {
        cwd: REPO_ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          AWS_ENDPOINT_URL: stubs.aws.url,
          AWS_ACCESS_KEY_ID: RUNNER_DEFAULTS.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: RUNNER_DEFAULTS.AWS_SECRET_ACCESS_KEY,
          AWS_EC2_METADATA_DISABLED: 'true',
          GITHUB_TOKEN: 'token',
          GITHUB_API_URL: stubs.github.url,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

/** A clone holding only the newest commit; `withOrigin: false` also forgets where it came from. */
async function shallowClone(withOrigin: boolean): Promise<string> {
  const clone = await mkdtemp(join(tmpdir(), 'rollback-clone-'));
  clones.push(clone);
  git(clone, 'clone', '-q', '--depth', '1', `file://${history.root}`, '.');
  if (!withOrigin) git(clone, 'remote', 'remove', 'origin');
  return join(clone, 'config');
}

describe('lattice-ingress rollback', () => {
  it('rolls back to an abbreviated sha with credentials from the environment, recording it on GitHub', async () => {
    seedDeployments();
    const oldSha = history.shas[0] ?? '';
    const { code, stdout, stderr } = await rollbackFrom(
      history.configDir,
      ['--target', oldSha.slice(0, 8)],
      '--environment',
    );
    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain(`Rolling staging back: ${NEW_TAG} -> ${OLD_TAG}`);
    expect(stdout).toContain(`image-tag=${OLD_TAG}`);
    // The summary is for a terminal: plain text, no Markdown.
    expect(stdout).toContain(`Rollback: ✅ ${OLD_TAG} is running`);
    expect(stdout).toMatch(/^Who {2,}\S/m);
    expect(stdout).not.toMatch(/^#|^\||`|\*\*|<details>/m);
    // Not a terminal (a pipe): no colour codes either.
    expect(stdout).not.toContain('\u001b[');
    expect(stubs.github.deployments.at(-1)).toMatchObject({ sha: oldSha, payload: { imageTag: OLD_TAG } });
  });

  describe('never skips the access check because the target commit is not in the local clone', () => {
    it('fetches the commit from origin, then compares', async () => {
      seedDeployments();
      const { code, stdout, stderr } = await rollbackFrom(await shallowClone(true), ['--target', OLD_TAG]);
      expect(stdout).toContain('Rolling staging back');
      expect(code, stdout + stderr).toBe(0);
      expect(stdout).toContain('The target allows and serves nothing that what runs now does not.');
      expect(stderr).not.toContain('Access not compared');
    });

    it('refuses when the commit cannot be had, and changes nothing', async () => {
      seedDeployments();
      const { code, stdout, stderr } = await rollbackFrom(await shallowClone(false), ['--target', OLD_TAG]);
      expect(code).toBe(1);
      expect(stderr).toContain('could not be compared with what runs now');
      expect(stderr).toContain('allow-wider-access');
      expect(stdout).toContain('Rollback refused');
      expect(stubs.aws.calls('cloudformation:UpdateStack')).toEqual([]);
    });

    it('goes ahead with --allow-wider-access, saying that access was not compared', async () => {
      seedDeployments();
      const clone = await shallowClone(false);
      const { code, stdout, stderr } = await rollbackFrom(clone, [
        '--target',
        OLD_TAG,
        '--allow-wider-access',
      ]);
      expect(code, stdout + stderr).toBe(0);
      expect(stderr).toContain('warning: Access not compared');
      expect(stubs.aws.calls('cloudformation:UpdateStack')).toHaveLength(1);
    });
  });

  describe('refuses cleanly, with no stack trace, before contacting what it cannot use', () => {
    /** The CLI as a person without a configured workstation runs it: only node on PATH (no gh), no AWS config. */
    async function runBare(args: string[], env: Record<string, string> = {}) {
      const home = await mkdtemp(join(tmpdir(), 'rollback-cli-home-'));
      return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [
            join(REPO_ROOT, 'bin/lattice-ingress.mjs'),
            'rollback',
            '--config',
            SAMPLE_CONFIG_DIR,
            '--environment',
            'staging',
            '--reason',
            'x',
            ...args,
          ],
          {
            cwd: REPO_ROOT,
            env: {
              PATH: dirname(process.execPath),
              HOME: home,
              AWS_CONFIG_FILE: join(home, 'none'),
              AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
              AWS_EC2_METADATA_DISABLED: 'true',
              AWS_ENDPOINT_URL: stubs.aws.url,
              GITHUB_API_URL: stubs.github.url,
              ...env,
            },
            timeout: 60_000,
          },
          (error, stdout, stderr) =>
            resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
        );
      });
    }

    it('without AWS credentials: says how to provide them', async () => {
      const result = await runBare(['--target', OLD_TAG], { GITHUB_TOKEN: 'token' });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error: no AWS credentials (');
      expect(result.stderr).toContain('set AWS_PROFILE or --profile, run aws sso login');
      expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m);
      expect(stubs.aws.requests).toHaveLength(0);
    });

    it('the default target previous without a GitHub token (no GITHUB_TOKEN, no gh): says what to give instead', async () => {
      const result = await runBare([], {
        AWS_ACCESS_KEY_ID: RUNNER_DEFAULTS.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: RUNNER_DEFAULTS.AWS_SECRET_ACCESS_KEY,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        "error: --target previous reads the environment's GitHub deployment history",
      );
      expect(result.stderr).toContain('give --target SHA|TAG');
      expect(stubs.aws.requests).toHaveLength(0);
      expect(stubs.github.requests).toHaveLength(0);
    });

    it('a malformed target: refused before AWS or GitHub is asked anything', async () => {
      const result = await runBare(['--target', 'not a tag!'], {
        GITHUB_TOKEN: 'token',
        AWS_ACCESS_KEY_ID: RUNNER_DEFAULTS.AWS_ACCESS_KEY_ID,
        AWS_SECRET_ACCESS_KEY: RUNNER_DEFAULTS.AWS_SECRET_ACCESS_KEY,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('error: target "not a tag!" is neither "previous"');
      expect(stubs.aws.requests).toHaveLength(0);
      expect(stubs.github.requests).toHaveLength(0);
    });
  });
});
