// Opens (or refreshes) the pull request that carries the working tree's config/allowlist.yaml, through the REST
// API: the workflow never holds git credentials. The branch is reset to the commit the run started from each time,
// so the pull request shows exactly today's change.
// Usage (expiry.yml, revoke.yml): allowlist-pull-request.ts --branch B --title T --body-file F
// with GH_TOKEN, GITHUB_REPOSITORY, GITHUB_SHA and GITHUB_REF_NAME (the base branch) in the environment.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createGitHubClient, type GitHubClient } from '../../src/aws/clients.ts';
import { isEntryPoint } from './entry.ts';

export const ALLOWLIST_PATH = 'config/allowlist.yaml';

export interface PullRequestInput {
  owner: string;
  repo: string;
  baseSha: string;
  baseBranch: string;
  branch: string;
  title: string;
  body: string;
  allowlist: string;
}

/** The pull request's URL. */
export async function openAllowlistPullRequest(
  octokit: GitHubClient,
  input: PullRequestInput,
): Promise<string> {
  const { owner, repo, branch } = input;
  try {
    await octokit.rest.git.updateRef({
      owner,
      repo,
      ref: `heads/${branch}`,
      sha: input.baseSha,
      force: true,
    });
  } catch (error) {
    if ((error as { status?: number }).status !== 422) throw error;
    await octokit.rest.git.createRef({ owner, repo, ref: `refs/heads/${branch}`, sha: input.baseSha });
  }
  const { data: current } = await octokit.rest.repos.getContent({
    owner,
    repo,
    path: ALLOWLIST_PATH,
    ref: branch,
  });
  await octokit.rest.repos.createOrUpdateFileContents({
    owner,
    repo,
    path: ALLOWLIST_PATH,
    branch,
    message: input.title,
    content: Buffer.from(input.allowlist).toString('base64'),
    sha: (current as { sha: string }).sha,
  });
  const { data: open } = await octokit.rest.pulls.list({
    owner,
    repo,
    head: `${owner}:${branch}`,
    state: 'open',
  });
  const existing = open[0];
  if (existing) {
    await octokit.rest.pulls.update({ owner, repo, pull_number: existing.number, body: input.body });
    return existing.html_url;
  }
  const { data: created } = await octokit.rest.pulls.create({
    owner,
    repo,
    head: branch,
    base: input.baseBranch,
    title: input.title,
    body: input.body,
  });
  return created.html_url;
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({
    options: { branch: { type: 'string' }, title: { type: 'string' }, 'body-file': { type: 'string' } },
  });
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo || !values.branch || !values.title || !values['body-file']) {
    throw new Error('needs --branch, --title, --body-file and GITHUB_REPOSITORY=owner/name');
  }
  const url = await openAllowlistPullRequest(createGitHubClient(process.env.GH_TOKEN ?? ''), {
    owner,
    repo,
    baseSha: process.env.GITHUB_SHA ?? '',
    baseBranch: process.env.GITHUB_REF_NAME ?? 'main',
    branch: values.branch,
    title: values.title,
    body: readFileSync(values['body-file'], 'utf8'),
    allowlist: readFileSync(ALLOWLIST_PATH, 'utf8'),
  });
  console.log(url);
}
