// `lattice-ingress rollback`, the same logic as the rollback action from a workstation, run as a person runs it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStub, startAwsStub } from '../support/aws-stub.ts';
import { type GitHubStub, startGitHubStub } from '../support/github-stub.ts';
import { REPO_ROOT, RUNNER_DEFAULTS } from '../support/run-action.ts';
import { FleetSimulator, NEW_TAG, OLD_TAG } from './fleet-simulator.ts';

let aws: AwsStub;
let github: GitHubStub;
beforeAll(async () => {
  aws = await startAwsStub();
  github = await startGitHubStub();
});
afterAll(async () => {
  await aws.close();
  await github.close();
});

describe('lattice-ingress rollback', () => {
  it('rolls back to an abbreviated sha with credentials from the environment, recording it on GitHub', async () => {
    github.seed({
      sha: 'a'.repeat(40),
      environment: 'staging',
      imageTag: OLD_TAG,
      states: ['success'],
      createdAt: '2026-11-01T00:00:00Z',
    });
    github.seed({
      sha: 'b'.repeat(40),
      environment: 'staging',
      imageTag: NEW_TAG,
      states: ['success'],
      createdAt: '2026-11-02T00:00:00Z',
    });
    aws.set(new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG }).stubTable());
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        join(REPO_ROOT, 'bin/lattice-ingress.mjs'),
        'rollback',
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
          AWS_ENDPOINT_URL: aws.url,
          AWS_ACCESS_KEY_ID: RUNNER_DEFAULTS.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: RUNNER_DEFAULTS.AWS_SECRET_ACCESS_KEY,
          AWS_EC2_METADATA_DISABLED: 'true',
          GITHUB_TOKEN: 'token',
          GITHUB_API_URL: github.url,
        },
        timeout: 60_000,
      },
    );
    expect(stdout).toContain(`Rolling staging back: ${NEW_TAG} -> ${OLD_TAG}`);
    expect(stdout).toContain(`image-tag=${OLD_TAG}`);
    expect(stdout).toContain('## Rollback: ✅');
    expect(github.deployments.at(-1)).toMatchObject({ sha: 'a'.repeat(40), payload: { imageTag: OLD_TAG } });
  });
});
