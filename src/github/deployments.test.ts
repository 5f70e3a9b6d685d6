// The deployments adapter with a real Octokit against the loopback GitHub stub.
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubStub, startGitHubStub } from '../../test/support/github-stub.ts';
import { GitHubDeployments } from './deployments.ts';

let github: GitHubStub;
let deployments: GitHubDeployments;
beforeAll(async () => {
  github = await startGitHubStub();
  deployments = new GitHubDeployments(
    getOctokit('token', { baseUrl: github.url }),
    'example-org',
    'lattice-ingress',
  );
});
afterAll(() => github.close());

describe('GitHubDeployments', () => {
  it('creates a deployment with the image payload and no required contexts, then statuses with the log url', async () => {
    const id = await deployments.create({
      environment: 'production',
      sha: 'a'.repeat(40),
      payload: { imageTag: 'git-a', digest: 'sha256:1' },
      description: 'x'.repeat(200),
    });
    await deployments.setStatus(id, 'success', { description: 'done', logUrl: 'https://github.com/run/1' });
    const created = github.requests.find((r) => r.method === 'POST' && r.path.endsWith('/deployments'));
    expect(created?.body).toMatchObject({
      ref: 'a'.repeat(40),
      environment: 'production',
      payload: { imageTag: 'git-a', digest: 'sha256:1' },
      required_contexts: [],
      auto_merge: false,
      production_environment: true,
      description: 'x'.repeat(140),
    });
    expect(github.deployments.find((d) => d.id === id)?.statuses).toMatchObject([
      { state: 'success', description: 'done', log_url: 'https://github.com/run/1' },
    ]);
  });

  it('reads the history newest first, judging each by its latest status other than inactive', async () => {
    github.seed({
      sha: 'b'.repeat(40),
      environment: 'staging',
      imageTag: 'git-b',
      states: ['in_progress', 'success', 'inactive'],
      createdAt: '2026-11-01T00:00:00Z',
    });
    github.seed({
      sha: 'c'.repeat(40),
      environment: 'staging',
      imageTag: 'git-c',
      states: ['in_progress', 'failure'],
      createdAt: '2026-11-02T00:00:00Z',
    });
    github.seed({
      sha: 'd'.repeat(40),
      environment: 'other',
      imageTag: 'git-d',
      states: ['success'],
      createdAt: '2026-11-03T00:00:00Z',
    });
    const history = await deployments.history('staging');
    expect(history.map((d) => [d.imageTag, d.state])).toEqual([
      ['git-c', 'failure'],
      ['git-b', 'success'],
    ]);
  });

  it('reads back the render day the payload records, and none for a record made before it was recorded', async () => {
    await deployments.create({
      environment: 'dev',
      sha: 'e'.repeat(40),
      payload: {
        imageTag: 'cfg-e',
        digest: 'sha256:1',
        renderedFrom: 'e'.repeat(40),
        renderedOn: '2026-11-04',
      },
      description: 'rollout',
    });
    github.seed({
      sha: 'f'.repeat(40),
      environment: 'dev',
      imageTag: 'git-f',
      states: ['success'],
      createdAt: '2026-11-01T00:00:00Z',
    });
    const history = await deployments.history('dev');
    expect(
      history.map(({ imageTag, renderedFrom, renderedOn }) => [imageTag, renderedFrom, renderedOn]),
    ).toEqual([
      ['cfg-e', 'e'.repeat(40), '2026-11-04'],
      ['git-f', undefined, undefined],
    ]);
  });
});
