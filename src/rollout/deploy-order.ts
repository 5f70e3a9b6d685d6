// Whether a deploy run may put its commit on an environment. GitHub runs the deploys of an environment one at a time
// (concurrency group deploy-<env>) in the order they ARRIVE, not the order of their commits: a run whose suite was
// skipped overtakes an older run that still tests, and the older one would then deploy its commit on top. So each
// environment's deploy first compares its commit with every commit the environment's deployment history records:
// it goes ahead only when none of them is newer. Going back is what Rollback is for, and it is explicit.
//
// Pure: the relations between commits come from git (or GitHub's compare API) through the caller.

/** How the commit to deploy relates to a recorded one. */
export type Relation =
  /** The same commit: a redeploy (the daily expiry run, a re-run), which may render differently. */
  | 'same'
  /** The commit to deploy contains the recorded one: a step forward. */
  | 'newer'
  /** The commit to deploy is an ancestor of the recorded one: a step back. */
  | 'older'
  /** Neither contains the other (a commit from another branch, a rewritten history). */
  | 'diverged'
  /** The recorded commit is not known to the clone. */
  | 'unknown';

export interface RecordedCommit {
  sha: string;
  relation: Relation;
}

export interface OrderRequest {
  environment: string;
  /** The commit this run deploys. */
  sha: string;
  /** The distinct commits of the environment's deployment history (deploys and rollbacks, any state), newest first. */
  recorded: readonly RecordedCommit[];
}

export type OrderDecision =
  | { deploy: true; reason: string; notes: string[] }
  | { deploy: false; reason: string; newer: string };

const short = (sha: string) => sha.slice(0, 12);

/**
 * A commit older than one a deploy already brought the environment to is refused: whatever brought the newer commit
 * (a run that overtook this one, or a run still going) keeps the environment moving forward, and a rollback that
 * went further back since then stays until the next merge, as documented. Diverged and unknown commits cannot be
 * ordered; they do not block, so an environment is never stuck behind a commit main does not contain.
 */
export function deployOrder(request: OrderRequest): OrderDecision {
  const newer = request.recorded.find((r) => r.relation === 'older');
  if (newer) {
    return {
      deploy: false,
      newer: newer.sha,
      reason: `${request.environment} has already had ${short(newer.sha)}, which contains ${short(request.sha)}: a newer run deploys it, so this older commit is not deployed on top (going back is a Rollback)`,
    };
  }
  const notes = request.recorded
    .filter((r) => r.relation === 'diverged' || r.relation === 'unknown')
    .map((r) =>
      r.relation === 'diverged'
        ? `${short(r.sha)} (recorded in ${request.environment}) and ${short(request.sha)} have diverged; not ordered`
        : `${short(r.sha)} (recorded in ${request.environment}) is not in this clone; not ordered`,
    );
  const same = request.recorded.some((r) => r.relation === 'same');
  return {
    deploy: true,
    notes,
    reason:
      request.recorded.length === 0
        ? `${request.environment} has no deployment yet`
        : same
          ? `${short(request.sha)} is the newest commit ${request.environment} has had: deployed again`
          : `${short(request.sha)} is newer than every commit ${request.environment} has had`,
  };
}
