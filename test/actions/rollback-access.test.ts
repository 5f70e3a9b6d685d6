// A rollback never widens access silently: the bundled rollback action, run as the runner runs it, compares what the
// target image allows (the configuration of the commit it was built from, read from git) with what runs now.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { useStubs } from '../support/stubs.ts';
import { FleetSimulator, NEW_TAG, OLD_TAG } from './fleet-simulator.ts';

const stubs = useStubs();
const REVOKED = '203.0.113.99/32';
let repo: string;
const shas: { old: string; current: string } = { old: '', current: '' };

/** A repository whose older commit allowlisted a partner range that the newer one removed. */
beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'rollback-access-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
  git('init', '-q');
  await cp(SAMPLE_CONFIG_DIR, join(repo, 'config'), { recursive: true });
  const allowlist = join(repo, 'config', 'allowlist.yaml');
  const current = await readFile(allowlist, 'utf8');
  await writeFile(allowlist, `${current}  - cidr: ${REVOKED}\n    description: Former partner\n`);
  git('add', '.');
  git('commit', '-qm', 'with the partner');
  shas.old = git('rev-parse', 'HEAD');
  await writeFile(allowlist, current);
  git('commit', '-qam', 'partner removed');
  shas.current = git('rev-parse', 'HEAD');
});
afterAll(() => rm(repo, { recursive: true, force: true }));

function seed() {
  stubs.github.seed({
    sha: shas.old,
    environment: 'staging',
    imageTag: OLD_TAG,
    states: ['success', 'inactive'],
    createdAt: '2026-11-01T10:00:00Z',
  });
  stubs.github.seed({
    sha: shas.current,
    environment: 'staging',
    imageTag: NEW_TAG,
    states: ['success'],
    createdAt: '2026-11-02T10:00:00Z',
  });
  const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: OLD_TAG });
  stubs.aws.set(fleet.stubTable());
}

const rollback = (inputs: Record<string, string> = {}) =>
  runAction('rollback', {
    awsEndpoint: stubs.aws.url,
    githubApiUrl: stubs.github.url,
    env: { GITHUB_ACTOR: 'mona' },
    inputs: {
      environment: 'staging',
      'config-dir': join(repo, 'config'),
      reason: 'the new version is broken',
      'poll-interval-seconds': '0.02',
      ...inputs,
    },
  });

describe('rollback and access', () => {
  it('refuses a target that would re-admit a removed range, and changes nothing', async () => {
    seed();
    const result = await rollback();
    expect(result.exitCode).toBe(1);
    expect(result.summary).toContain(`- ${REVOKED} (Former partner) would be admitted again`);
    expect(result.stdout + result.stderr).toContain('allow-wider-access: true');
    expect(stubs.aws.calls('cloudformation:UpdateStack')).toEqual([]);
    expect(stubs.github.deployments.filter((d) => d.statuses.some((s) => s.state === 'in_progress'))).toEqual(
      [],
    );
  });

  it('goes ahead when the operator allows wider access, and says so', async () => {
    seed();
    const result = await rollback({ 'allow-wider-access': 'true' });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain('Rolling back widens access');
    expect(result.outputs['image-tag']).toBe(OLD_TAG);
    expect(stubs.aws.calls('cloudformation:UpdateStack')).toHaveLength(1);
  });
});
