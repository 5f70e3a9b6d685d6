// The UTC day of the oldest environment's latest successful deployment: the allowlist every environment runs was
// rendered on or after that day. Prints nothing when an environment has no successful deployment yet.
// Usage (expiry.yml): ENVIRONMENTS (the JSON of `lattice-ingress environments --json`), GH_TOKEN, GITHUB_REPOSITORY.
import { createGitHubClient } from '../../src/aws/clients.ts';
import { GitHubDeployments } from '../../src/github/deployments.ts';
import type { DeploymentRecord } from '../../src/rollout/rollback-target.ts';
import { isEntryPoint } from './entry.ts';

/** undefined when any environment has never been deployed successfully. */
export function oldestLastSuccess(histories: readonly (readonly DeploymentRecord[])[]): string | undefined {
  let oldest: string | undefined;
  for (const history of histories) {
    const latest = history.find((record) => record.state === 'success');
    if (!latest) return undefined;
    const day = latest.createdAt.slice(0, 10);
    if (oldest === undefined || day < oldest) oldest = day;
  }
  return oldest;
}

if (isEntryPoint(import.meta.url)) {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new Error('GITHUB_REPOSITORY must be owner/name');
  const environments = JSON.parse(process.env.ENVIRONMENTS ?? '[]') as { githubEnvironment: string }[];
  const deployments = new GitHubDeployments(createGitHubClient(process.env.GH_TOKEN ?? ''), owner, repo);
  const histories = await Promise.all(environments.map((e) => deployments.history(e.githubEnvironment, 10)));
  console.log(oldestLastSuccess(histories) ?? '');
}
