// The pull request that carries a changed config/allowlist.yaml (the expiry run's and a revocation's), through the
// REST API: the workflow never holds git credentials. The branch is reset to the commit the run started from each
// time, so the pull request shows exactly today's change.
import type { GitHubClient } from '../aws/clients.ts';

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
