// The daily expiry run's redeploy decision as expiry.yml runs it: the script reads each environment's latest
// successful GitHub deployment (the GitHub stub), the render its payload records, and that commit's allowlist from
// git, and prints whether an image that runs admits an entry that has expired.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGitHubClient } from '../../src/aws/clients.ts';
import { GitHubDeployments } from '../../src/github/deployments.ts';
import type { DeploymentPayload } from '../../src/operations/ports.ts';
import { type ConfigHistory, configHistory } from '../actions/config-history.ts';
import { useStubs } from '../support/stubs.ts';

const root = resolve(import.meta.dirname, '../..');
const stubs = useStubs();
let history: ConfigHistory;
let LAPSING = '';
let DROPPED = '';

const allowlist = (dir: string) => join(dir, 'allowlist.yaml');
beforeAll(async () => {
  history = await configHistory(
    // The partner's entry lapsed on 2026-01-10 (before this suite runs)...
    async (dir) =>
      writeFile(allowlist(dir), (await readFile(allowlist(dir), 'utf8')).replace('2030-06-30', '2026-01-10')),
    // ...and main has since dropped it.
    async (dir) =>
      writeFile(
        allowlist(dir),
        (await readFile(allowlist(dir), 'utf8')).replace(/ {2}- cidr: 203\.0\.113\.16\/28\n.*\n.*\n/, ''),
      ),
  );
  [LAPSING = '', DROPPED = ''] = history.shas;
});
afterAll(() => history.remove());

async function deployed(environment: string, payload: DeploymentPayload): Promise<void> {
  const deployments = new GitHubDeployments(createGitHubClient('t', stubs.github.url), 'o', 'r');
  const id = await deployments.create({ environment, sha: DROPPED, payload, description: 'rollout' });
  await deployments.setStatus(id, 'success', {});
}

/** The script runs in a child process: the stub answers from this one, so it must not block. */
async function redeploy(environments: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    join(root, 'node_modules/.bin/tsx'),
    [join(root, '.github/scripts/running-renders.ts')],
    {
      cwd: history.root,
      env: {
        ...process.env,
        ENVIRONMENTS: JSON.stringify(environments.map((githubEnvironment) => ({ githubEnvironment }))),
        CONFIG_DIR: history.configDir,
        GH_TOKEN: 't',
        GITHUB_REPOSITORY: 'o/r',
        GITHUB_API_URL: stubs.github.url,
      },
    },
  );
  return stdout.trim();
}

describe('running-renders.ts (expiry.yml)', () => {
  it('redeploys when an image that runs was rendered with an entry that has expired since, whatever main says', async () => {
    await deployed('dev', { imageTag: 'cfg-a', renderedFrom: DROPPED, renderedOn: '2026-01-05' });
    expect(await redeploy(['dev'])).toBe('false');
    // A rollback to the image of the first commit, rendered while the partner was still valid.
    await deployed('staging', { imageTag: 'cfg-b', renderedFrom: LAPSING, renderedOn: '2026-01-05' });
    expect(await redeploy(['dev', 'staging'])).toBe('true');
  });

  it('redeploys when a running image’s render is unknown: the safe side', async () => {
    await deployed('production', { imageTag: `git-${DROPPED}` });
    expect(await redeploy(['production'])).toBe('true');
  });
});
