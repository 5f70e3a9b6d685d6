// Whether the commit the deploy is about to ship has exactly the tree a pull request gate already passed on, so
// the deploy need not run the suite a second time. The tested-tree action (actions/tested-tree) asks, bundled and
// run by the runner on its own Node.js, so the job that asks needs neither a Node.js set-up nor `npm ci`.
//
// Why the tree and not the commit: a squash or merge commit is new, but its tree equals the pull request head's
// tree exactly when the branch contained everything on main when it was merged ("Require branches to be up to
// date before merging"). Then the gate ran on that tree too: a pull_request run tests the merge of the head into
// the base of the moment, and merging an ancestor of the head changes nothing. In every other case (a branch
// behind main, a direct push, a dispatch of a commit no pull request passed) the deploy runs the suite itself.

/** The name of pr.yml's always-running job that passes only when everything the change needs passed. */
export const GATE_CHECK = 'Pull request gate';

export interface PullRequestEvidence {
  number: number;
  headSha: string;
  headTree: string;
  /** The latest GATE_CHECK run of GitHub Actions on the head commit concluded success. */
  gatePassed: boolean;
}

export interface Verdict {
  tested: boolean;
  reason: string;
}

export function testedTree(tree: string, pulls: readonly PullRequestEvidence[]): Verdict {
  if (pulls.length === 0) return { tested: false, reason: 'no pull request contains this commit' };
  const same = pulls.filter((p) => p.headTree === tree);
  const passed = same.find((p) => p.gatePassed);
  if (passed) {
    return {
      tested: true,
      reason: `tree ${tree.slice(0, 12)} passed "${GATE_CHECK}" on #${passed.number} (${passed.headSha.slice(0, 7)})`,
    };
  }
  if (same.length > 0) {
    const numbers = same.map((p) => `#${p.number}`).join(', ');
    return { tested: false, reason: `${numbers} had this tree but "${GATE_CHECK}" did not pass on it` };
  }
  const numbers = pulls.map((p) => `#${p.number}`).join(', ');
  return {
    tested: false,
    reason: `the tree differs from the head of ${numbers} (the branch was behind main when merged)`,
  };
}

/** GET on the GitHub REST API, relative to /repos/<owner>/<repo>. */
export type RepoGet = (path: string) => Promise<unknown>;

interface GitCommit {
  tree: { sha: string };
}
interface PullRequest {
  number: number;
  head: { sha: string };
}
interface CheckRuns {
  check_runs: { conclusion: string | null; app?: { slug?: string } }[];
}

/**
 * The pull requests GitHub associates with the commit, each with its head's tree and the gate's conclusion. REST API
 * "List pull requests associated with a commit": "Lists the merged pull request that introduced the commit to the
 * repository", which for a commit on main is the pull request a merge or squash commit came from.
 */
export async function gatherEvidence(
  get: RepoGet,
  sha: string,
): Promise<{ tree: string; pulls: PullRequestEvidence[] }> {
  const treeOf = async (commit: string) => ((await get(`/git/commits/${commit}`)) as GitCommit).tree.sha;
  const pulls = (await get(`/commits/${sha}/pulls`)) as PullRequest[];
  const evidence: PullRequestEvidence[] = [];
  for (const pull of pulls) {
    const runs = (await get(
      `/commits/${pull.head.sha}/check-runs?check_name=${encodeURIComponent(GATE_CHECK)}&filter=latest`,
    )) as CheckRuns;
    evidence.push({
      number: pull.number,
      headSha: pull.head.sha,
      headTree: await treeOf(pull.head.sha),
      // Only GitHub Actions' own check counts: another app could post a check run with the same name.
      gatePassed: runs.check_runs.some((r) => r.conclusion === 'success' && r.app?.slug === 'github-actions'),
    });
  }
  return { tree: await treeOf(sha), pulls: evidence };
}

export function gitHubRepoGet(apiUrl: string, repository: string, token: string): RepoGet {
  return async (path) => {
    const response = await fetch(`${apiUrl}/repos/${repository}${path}`, {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${token}`,
        'x-github-api-version': '2022-11-28',
      },
    });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
}

/** The verdict for the commit `sha`; when GitHub cannot say, the suite runs: a slower deploy, never an untested one. */
export async function verdictFor(get: RepoGet, sha: string): Promise<Verdict> {
  return gatherEvidence(get, sha).then(
    ({ tree, pulls }) => testedTree(tree, pulls),
    (error: Error): Verdict => ({ tested: false, reason: `could not ask GitHub (${error.message})` }),
  );
}
