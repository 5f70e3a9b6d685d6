// Which image a rollback goes to. The target is `previous`, a commit sha (full or abbreviated) or an image tag; it
// resolves against the environment's deployment history (GitHub deployments with payload.imageTag, newest first)
// and, for a sha or tag not in that history, the registry's tags. Anything else is refused with what was looked
// for and what exists.
import { GIT_SHA_PREFIX, gitTag, imageContent, REGISTRY_TAG, renderTag } from '../contract/image-tags.ts';

export interface DeploymentRecord {
  id: number;
  /** Commit the deployment was made from. */
  sha: string;
  imageTag: string;
  createdAt: string;
  /** The deployed image's render (commit and UTC day), from the deployment's payload (older records have none). */
  renderedFrom?: string;
  renderedOn?: string;
  /** The latest meaningful status: success, failure, error, in_progress, queued, pending (inactive is skipped). */
  state: string;
  creator?: string;
}

export type RollbackTarget =
  | { kind: 'previous' }
  | { kind: 'sha'; prefix: string }
  | { kind: 'tag'; tag: string };

export function parseRollbackTarget(text: string): RollbackTarget | { error: string } {
  const value = text.trim();
  if (value === '' || value === 'previous') return { kind: 'previous' };
  if (GIT_SHA_PREFIX.test(value.toLowerCase())) return { kind: 'sha', prefix: value.toLowerCase() };
  if (REGISTRY_TAG.test(value)) return { kind: 'tag', tag: value };
  return {
    error: `target "${value}" is neither "previous", a commit sha (7-40 hex characters) nor an image tag (letters, digits, _ . -)`,
  };
}

export interface Resolution {
  imageTag: string;
  /** Commit to record the rollback deployment against. */
  sha?: string;
  /** The deployment the target was found in, if any. */
  record?: DeploymentRecord;
  /** How the target was found, for the summary. */
  via: 'history' | 'registry';
}

export interface ResolutionInput {
  /** The environment's deployments, newest first. */
  history: readonly DeploymentRecord[];
  /** Tags in the registry (for shas and tags not in the history). */
  registryTags: readonly string[];
}

export type ResolutionResult = { ok: true; resolution: Resolution } | { ok: false; message: string };

const short = (sha: string) => sha.slice(0, 12);

/**
 * `previous`: the newest successful deployment older than the current one with a different image. The current
 * one is the newest deployment: if it succeeded it is what is being rolled back from; if it failed, the newest
 * success is what should be running again.
 */
export function resolveRollbackTarget(target: RollbackTarget, input: ResolutionInput): ResolutionResult {
  const successful = input.history.filter((d) => d.state === 'success');
  switch (target.kind) {
    case 'previous':
      return resolvePrevious(input.history, successful);
    case 'sha':
      return resolveSha(target.prefix, successful, input.registryTags);
    case 'tag':
      return resolveTag(target.tag, successful, input.registryTags);
  }
}

/** Which commit's configuration, rendered on which day, an image holds. */
export interface Render {
  sha?: string;
  at: Date;
}

const startOf = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * The target image's own newest render (from its tags, git-rendered-<day>-<sha>): what it admits, whichever
 * deployment ran it. An image built before renders were tagged falls back to its deployment's day (or `now`).
 */
export function targetRender(resolution: Resolution, imageTags: readonly string[], now: Date): Render {
  const [newest] = imageContent({ tags: imageTags }).renders;
  if (newest) return { sha: newest.commit, at: startOf(newest.renderedOn) };
  const at = resolution.record ? new Date(resolution.record.createdAt) : now;
  return { ...(resolution.sha ? { sha: resolution.sha } : {}), at };
}

/** When what runs now was rendered: the day its deployment recorded, or for an older record that record's day. */
export function runningRender(running: DeploymentRecord): Date {
  return startOf(running.renderedOn ?? running.createdAt.slice(0, 10));
}

function resolvePrevious(
  history: readonly DeploymentRecord[],
  successful: readonly DeploymentRecord[],
): ResolutionResult {
  const [current] = history;
  if (!current) {
    return {
      ok: false,
      message:
        'no deployments are recorded for this environment, so there is no "previous"; give a commit sha or an image tag',
    };
  }
  const record = history.slice(1).find((d) => d.state === 'success' && d.imageTag !== current.imageTag);
  if (!record) {
    const seen = successful.map((d) => d.imageTag).join(', ') || 'none';
    return {
      ok: false,
      message: `no successful deployment before the current one (${current.imageTag}, ${current.state}) has a different image; successful deployments: ${seen}`,
    };
  }
  return { ok: true, resolution: { imageTag: record.imageTag, sha: record.sha, record, via: 'history' } };
}

function resolveSha(
  prefix: string,
  successful: readonly DeploymentRecord[],
  registryTags: readonly string[],
): ResolutionResult {
  const inHistory = uniqueBy(
    successful.filter((d) => d.sha.startsWith(prefix)),
    (d) => d.imageTag,
  );
  const [record] = inHistory;
  if (inHistory.length === 1 && record) {
    return { ok: true, resolution: { imageTag: record.imageTag, sha: record.sha, record, via: 'history' } };
  }
  if (inHistory.length > 1) {
    return {
      ok: false,
      message: `commit "${prefix}" is ambiguous: it matches ${inHistory.map((d) => `${short(d.sha)} (${d.imageTag})`).join(', ')}; give more characters`,
    };
  }
  const commits = registryCommits(prefix, registryTags);
  const [commit] = commits;
  if (commits.length === 1 && commit) {
    return {
      ok: true,
      resolution: { imageTag: newestImageOf(commit, registryTags), sha: commit, via: 'registry' },
    };
  }
  if (commits.length > 1) {
    return {
      ok: false,
      message: `commit "${prefix}" is ambiguous in the registry: ${commits.map(short).join(', ')}; give more characters`,
    };
  }
  return {
    ok: false,
    message: `no successful deployment and no image tagged git-${prefix}* was found. Successful deployments: ${describe(successful)}. Newest git-* tags in the registry: ${newestGitTags(registryTags)}`,
  };
}

/** The commits starting with `prefix` that the registry has an image of (git-<sha> or git-rendered-<day>-<sha>). */
function registryCommits(prefix: string, registryTags: readonly string[]): string[] {
  const { renders, commits } = imageContent({ tags: registryTags });
  return [...new Set([...renders.map((r) => r.commit), ...commits])].filter((c) => c.startsWith(prefix));
}

/**
 * The commit's newest render: after an entry expired, the commit was rendered again without it, and its first image
 * (git-<sha>) may still admit the entry. git-<sha> only for an image built before renders were tagged.
 */
function newestImageOf(commit: string, registryTags: readonly string[]): string {
  const newest = imageContent({ tags: registryTags }).renders.find((r) => r.commit === commit);
  return newest ? renderTag(commit, newest.renderedOn) : gitTag(commit);
}

function resolveTag(
  tag: string,
  successful: readonly DeploymentRecord[],
  registryTags: readonly string[],
): ResolutionResult {
  const record = successful.find((d) => d.imageTag === tag);
  if (record) return { ok: true, resolution: { imageTag: tag, sha: record.sha, record, via: 'history' } };
  if (registryTags.includes(tag)) return { ok: true, resolution: { imageTag: tag, via: 'registry' } };
  return {
    ok: false,
    message: `image tag "${tag}" is neither in the deployment history nor in the registry. Successful deployments: ${describe(successful)}. Newest git-* tags in the registry: ${newestGitTags(registryTags)}`,
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function describe(records: readonly DeploymentRecord[]): string {
  if (records.length === 0) return 'none';
  return records
    .slice(0, 5)
    .map((d) => `${d.imageTag} (${d.createdAt.slice(0, 10)})`)
    .join(', ');
}

/** registryTags are given newest first. */
function newestGitTags(tags: readonly string[]): string {
  const git = tags.filter((t) => t.startsWith('git-')).slice(0, 5);
  return git.length > 0 ? git.join(', ') : 'none';
}
