// The bundled rollback action, run as the runner runs it: target resolution from the GitHub deployment history
// (GitHub stub) and the registry (AWS stub), then the shared rollout.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/run-action.ts';
import { useStubs } from '../support/stubs.ts';
import { type ConfigHistory, configHistory, unchanged } from './config-history.ts';
import { FleetSimulator, NEW_TAG, OLD_DIGEST, OLD_TAG } from './fleet-simulator.ts';

const stubs = useStubs();

/** Two commits of the same configuration: the old and the new deployment were made from them. */
let history: ConfigHistory;
let OLD_SHA: string;
let NEW_SHA: string;
beforeAll(async () => {
  history = await configHistory(unchanged, unchanged);
  [OLD_SHA = '', NEW_SHA = ''] = history.shas;
});
afterAll(() => history.remove());

function seedHistory() {
  stubs.github.seed({
    sha: OLD_SHA,
    environment: 'staging',
    imageTag: OLD_TAG,
    states: ['in_progress', 'success', 'inactive'],
    createdAt: '2026-11-01T10:00:00Z',
  });
  return stubs.github.seed({
    sha: NEW_SHA,
    environment: 'staging',
    imageTag: NEW_TAG,
    states: ['in_progress', 'success'],
    createdAt: '2026-11-02T10:00:00Z',
  });
}

function run(inputs: Record<string, string | number>) {
  return runAction('rollback', {
    awsEndpoint: stubs.aws.url,
    githubApiUrl: stubs.github.url,
    env: { GITHUB_ACTOR: 'mona' },
    inputs: {
      environment: 'staging',
      'config-dir': history.configDir,
      reason: 'smoke test failed',
      'poll-interval-seconds': 0.02,
      ...inputs,
    },
  });
}

describe('rollback action (bundled)', () => {
  it('rolls back to the previous successful deployment and records who, what and why', async () => {
    const current = seedHistory();
    // The stack runs NEW_TAG; rolling "forward" to OLD_TAG is the simulator's update.
    const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG });
    // The old image's render: the day recorded for it is that one, not the day of the rollback.
    fleet.images[`git-rendered-2026-01-05-${OLD_SHA}`] = OLD_DIGEST;
    stubs.aws.set(fleet.stubTable());
    const result = await run({});
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.outputs).toEqual({
      'image-tag': OLD_TAG,
      'rolled-back-from': NEW_TAG,
      'stack-updated': 'true',
    });
    expect(result.stdout).toContain(
      `Rolling staging back: ${NEW_TAG} -> ${OLD_TAG} (requested by mona: smoke test failed)`,
    );
    expect(result.summary).toContain('## Rollback: ✅');
    expect(result.summary).toContain('| Who | `mona` |');
    expect(result.summary).toContain('| Why | smoke test failed |');
    expect(result.summary).toContain(`\`${NEW_TAG}\` → \`${OLD_TAG}\``);
    // A new deployment of the old commit, and the rolled-back one marked failed so `previous` moves on next time.
    const created = stubs.github.deployments.at(-1);
    expect(created).toMatchObject({
      sha: OLD_SHA,
      payload: { imageTag: OLD_TAG, digest: OLD_DIGEST, renderedOn: '2026-01-05' },
    });
    expect(created?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    const rolledBack = stubs.github.deployments.find((d) => d.id === current);
    expect(rolledBack?.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: `Rolled back to ${OLD_TAG} by mona: smoke test failed`,
    });
  });

  it('accepts an abbreviated sha found in the history', async () => {
    seedHistory();
    const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG });
    stubs.aws.set(fleet.stubTable());
    const result = await run({ target: OLD_SHA.slice(0, 8) });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.outputs['image-tag']).toBe(OLD_TAG);
  });

  it('refuses a target that was never deployed nor built, saying what was looked for and what exists', async () => {
    seedHistory();
    stubs.aws.set(new FleetSimulator('complete').stubTable());
    const result = await run({ target: 'deadbeef' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::cannot roll staging back to "deadbeef": no successful deployment and no image tagged git-deadbeef* was found.',
    );
    expect(result.stdout).toContain(
      `Successful deployments: ${NEW_TAG} (2026-11-02), ${OLD_TAG} (2026-11-01)`,
    );
    expect(result.summary).toContain('## Rollback refused');
    expect(stubs.aws.calls('cloudformation:UpdateStack')).toHaveLength(0);
  });

  it('refuses a malformed target before touching AWS', async () => {
    const result = await run({ target: 'not a tag!' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('is neither "previous", a commit sha');
    expect(stubs.aws.requests).toHaveLength(0);
  });

  it('refuses a deployed version whose image has expired from ECR, recording nothing', async () => {
    seedHistory();
    const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG });
    fleet.images = { [NEW_TAG]: OLD_DIGEST };
    stubs.aws.set(fleet.stubTable());
    const before = stubs.github.deployments.length;
    const result = await run({});
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      `::error::cannot roll staging back to "previous": it resolved to ${OLD_TAG}, which is no longer in ECR repository lattice-ingress-staging (newest git-* tags: ${NEW_TAG}). Nothing was changed.`,
    );
    expect(stubs.github.deployments).toHaveLength(before);
    expect(stubs.aws.calls('cloudformation:UpdateStack')).toHaveLength(0);
  });

  it('after a rollout that errored before changing the stack, rolls back by verifying what still runs', async () => {
    stubs.github.seed({
      sha: OLD_SHA,
      environment: 'staging',
      imageTag: OLD_TAG,
      states: ['in_progress', 'success'],
      createdAt: '2026-11-01T10:00:00Z',
    });
    stubs.github.seed({
      sha: NEW_SHA,
      environment: 'staging',
      imageTag: NEW_TAG,
      states: ['in_progress', 'error'],
      createdAt: '2026-11-02T10:00:00Z',
    });
    // The stack never left OLD_TAG: CloudFormation answers "No updates are to be performed".
    const fleet = new FleetSimulator('complete', { currentTag: OLD_TAG, targetTag: OLD_TAG });
    stubs.aws.set(fleet.stubTable());
    const result = await run({});
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.summary).toContain(`## Rollback: ✅ already on \`${OLD_TAG}\`; service verified`);
    expect(stubs.github.deployments.at(-1)?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
  });

  it('proceeds despite an expired allowlist entry, warning that it is left out (an emergency must not wait for a PR)', async () => {
    const expired = await configHistory(
      async (configDir) =>
        writeFile(
          join(configDir, 'allowlist.yaml'),
          'allowAnyAddress: false\nentries:\n  - cidr: 198.51.100.0/24\n    description: Head office\n  - cidr: 192.0.2.0/28\n    description: Contractor VPN\n    expires: 2020-01-31\n',
        ),
      unchanged,
    );
    try {
      [OLD_SHA = '', NEW_SHA = ''] = expired.shas;
      seedHistory();
      const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG });
      stubs.aws.set(fleet.stubTable());
      const result = await run({ 'config-dir': expired.configDir });
      expect(result.exitCode, result.stdout + result.stderr).toBe(0);
      expect(result.annotations).toContainEqual(
        expect.objectContaining({
          command: 'warning',
          message:
            '[entry-expired-left-out] 192.0.2.0/28 (Contractor VPN) expired on 2020-01-31; it is left out of what is deployed (pull requests still fail on it)',
        }),
      );
    } finally {
      [OLD_SHA = '', NEW_SHA = ''] = history.shas;
      await expired.remove();
    }
  });
});
