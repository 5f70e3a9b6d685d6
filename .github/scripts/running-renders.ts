// The daily expiry run's redeploy decision, judged by what the running images were rendered with: each environment's
// latest successful deployment records its image's render (commit and UTC day, from the image's git-rendered- tag) in
// its payload, so a rollback to an older image counts with that image's render, not the day of the rollback. The
// entries rendered into it are that commit's allowlist without the entries expired on that day. Prints true or false.
// Usage (expiry.yml, with the full history checked out): ENVIRONMENTS (the JSON of `lattice-ingress environments
// --json`), CONFIG_DIR, GH_TOKEN, GITHUB_REPOSITORY.
import { dailyRedeploy, utcDay } from '../../src/access/expiry.ts';
import { createGitHubClient } from '../../src/aws/clients.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { ImageRender } from '../../src/contract/image-tags.ts';
import { readSourcesAtRef } from '../../src/diff/git.ts';
import { GitHubDeployments } from '../../src/github/deployments.ts';
import type { DeploymentRecord } from '../../src/rollout/rollback-target.ts';
import { isEntryPoint } from './entry.ts';

/** Per environment, the render its latest successful deployment records; undefined when it records none. */
export function runningRenders(
  histories: readonly (readonly DeploymentRecord[])[],
): (ImageRender | undefined)[] {
  return histories.map((history) => {
    const { renderedFrom, renderedOn } = history.find((record) => record.state === 'success') ?? {};
    return renderedFrom && renderedOn ? { commit: renderedFrom, renderedOn } : undefined;
  });
}

/** The allowlist entries rendered into the image: the commit's, without those expired on the render day. */
async function renderedEntries(render: ImageRender, configDir: string) {
  // A commit whose configuration cannot be read counts as unknown.
  const sources = await readSourcesAtRef(render.commit, configDir).catch(() => undefined);
  if (!sources) return undefined;
  const { parts } = parseConfig(sources, {
    now: new Date(`${render.renderedOn}T00:00:00Z`),
    expired: 'leave-out',
  });
  return parts.allowlist?.entries;
}

if (isEntryPoint(import.meta.url)) {
  const [owner, repo] = (process.env.GITHUB_REPOSITORY ?? '').split('/');
  if (!owner || !repo) throw new Error('GITHUB_REPOSITORY must be owner/name');
  const environments = JSON.parse(process.env.ENVIRONMENTS ?? '[]') as { githubEnvironment: string }[];
  const deployments = new GitHubDeployments(createGitHubClient(process.env.GH_TOKEN ?? ''), owner, repo);
  const histories = await Promise.all(environments.map((e) => deployments.history(e.githubEnvironment, 10)));
  const configDir = process.env.CONFIG_DIR ?? 'config';
  const running = await Promise.all(
    runningRenders(histories).map((render) => render && renderedEntries(render, configDir)),
  );
  console.log(dailyRedeploy(running, utcDay(new Date())));
}
