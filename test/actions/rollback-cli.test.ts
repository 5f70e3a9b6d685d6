// `lattice-ingress rollback`, the same logic as the rollback action from a workstation, run as a person runs it.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
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
});
