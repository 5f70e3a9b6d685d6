// `lattice-ingress rollback`, the same logic as the rollback action from a workstation, run as a person runs it.
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, RUNNER_DEFAULTS } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { useStubs } from '../support/stubs.ts';
import { FleetSimulator, NEW_TAG, OLD_TAG } from './fleet-simulator.ts';

const stubs = useStubs();

describe('lattice-ingress rollback', () => {
  it('rolls back to an abbreviated sha with credentials from the environment, recording it on GitHub', async () => {
    stubs.github.seed({
      sha: 'a'.repeat(40),
      environment: 'staging',
      imageTag: OLD_TAG,
      states: ['success'],
      createdAt: '2026-11-01T00:00:00Z',
    });
    stubs.github.seed({
      sha: 'b'.repeat(40),
      environment: 'staging',
      imageTag: NEW_TAG,
      states: ['success'],
      createdAt: '2026-11-02T00:00:00Z',
    });
    stubs.aws.set(new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG }).stubTable());
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/lattice-ingress.mjs'),
        'rollback',
        '--config',
        SAMPLE_CONFIG_DIR,
        '--environment',
        'staging',
        '--target',
        'aaaaaaaa',
        '--reason',
        'bad deploy',
        '--poll-interval-seconds',
        '0.02',
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
    );
    expect(stdout).toContain(`Rolling staging back: ${NEW_TAG} -> ${OLD_TAG}`);
    expect(stdout).toContain(`image-tag=${OLD_TAG}`);
    expect(stdout).toContain('## Rollback: ✅');
    expect(stubs.github.deployments.at(-1)).toMatchObject({
      sha: 'a'.repeat(40),
      payload: { imageTag: OLD_TAG },
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
