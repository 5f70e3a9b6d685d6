// The deploy-order guard (deploy-environment.yml, step "guard" of the deploy job, before anything is built): refuses
// to deploy a commit older than one the environment has already had, because GitHub runs an environment's deploys in
// the order they arrive, not in the order of their commits. Appends `deploy=true|false` to the --output file (the
// job's later steps run only on `true`) and the reason to the job summary.
// Usage: GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL; node .github/scripts/deploy-order.ts --environment <github env>
//   --sha <commit> --output "$GITHUB_OUTPUT", in a clone with the whole history (fetch-depth: 0).
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { deployedCommits } from '../../src/github/deployment-commits.ts';
import { gitHubRepoGet } from '../../src/github/tested-tree.ts';
import { deployOrder, type Relation } from '../../src/rollout/deploy-order.ts';
import { isEntryPoint } from './entry.ts';

const git = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' }).status;

/** How `sha` relates to `recorded` in the clone at `cwd` (git merge-base --is-ancestor). */
export function commitRelation(cwd: string, sha: string, recorded: string): Relation {
  if (sha === recorded) return 'same';
  if (git(cwd, 'cat-file', '-e', `${recorded}^{commit}`) !== 0) return 'unknown';
  if (git(cwd, 'merge-base', '--is-ancestor', recorded, sha) === 0) return 'newer';
  if (git(cwd, 'merge-base', '--is-ancestor', sha, recorded) === 0) return 'older';
  return 'diverged';
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({
    options: { environment: { type: 'string' }, sha: { type: 'string' }, output: { type: 'string' } },
  });
  const { GH_TOKEN, GITHUB_REPOSITORY, GITHUB_API_URL, GITHUB_STEP_SUMMARY } = process.env;
  if (!values.environment || !values.sha || !values.output || !GH_TOKEN || !GITHUB_REPOSITORY) {
    throw new Error(
      'usage: GH_TOKEN=... GITHUB_REPOSITORY=owner/name deploy-order.ts --environment ENV --sha SHA --output FILE',
    );
  }
  const { environment, sha } = values;
  const get = gitHubRepoGet(GITHUB_API_URL ?? 'https://api.github.com', GITHUB_REPOSITORY, GH_TOKEN);
  const recorded = (await deployedCommits(get, environment)).map((commit) => ({
    sha: commit,
    relation: commitRelation(process.cwd(), sha, commit),
  }));
  const decision = deployOrder({ environment, sha, recorded });
  for (const note of decision.deploy ? decision.notes : [])
    console.log(`::warning title=Deploy order::${note}`);
  console.log(decision.deploy ? decision.reason : `::notice title=Not deployed::${decision.reason}`);
  appendFileSync(values.output, `deploy=${decision.deploy}\n`);
  if (GITHUB_STEP_SUMMARY) {
    const verdict = decision.deploy ? '' : 'Not deployed: ';
    appendFileSync(GITHUB_STEP_SUMMARY, `### Deploy order\n\n${verdict}${decision.reason}.\n`);
  }
}
