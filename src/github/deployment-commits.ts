// The commits an environment's deployment history records, for the deploy-order guard: every deployment the rollout
// and rollback record carries an image tag in its payload (the ones GitHub itself creates for a job that names an
// environment do not), whatever its state. Read through the fetch-based RepoGet, so the guard runs on plain Node.js.
import type { RepoGet } from './tested-tree.ts';

interface Deployment {
  sha: string;
  payload: unknown;
}

function carriesImageTag(payload: unknown): boolean {
  let value = payload;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return false;
    }
  }
  return typeof (value as { imageTag?: unknown } | null)?.imageTag === 'string';
}

/** Distinct commits of the environment's rollouts and rollbacks, newest first (GitHub lists deployments so). */
export async function deployedCommits(get: RepoGet, environment: string): Promise<string[]> {
  const deployments = (await get(
    `/deployments?environment=${encodeURIComponent(environment)}&per_page=100`,
  )) as Deployment[];
  return [...new Set(deployments.filter((d) => carriesImageTag(d.payload)).map((d) => d.sha))];
}
