// The workflow run the action is part of, read once from the runner's GITHUB_* variables and event payload.
import { readFileSync } from 'node:fs';

export interface RunContext {
  owner: string;
  repo: string;
  sha: string;
  ref: string;
  actor: string;
  eventName: string;
  eventPath?: string;
  workspace: string;
  /** Link to this run's log, for deployment statuses and summaries. */
  runUrl: string;
  /** On pull_request events: the base commit the pull request is compared with. */
  pullRequestBaseSha?: string;
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
  const baseSha = pullRequestBase(env.GITHUB_EVENT_NAME, env.GITHUB_EVENT_PATH);
  return {
    owner,
    repo,
    sha: env.GITHUB_SHA ?? '',
    ref: env.GITHUB_REF ?? '',
    actor: env.GITHUB_ACTOR ?? 'unknown',
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ...(env.GITHUB_EVENT_PATH ? { eventPath: env.GITHUB_EVENT_PATH } : {}),
    workspace: env.GITHUB_WORKSPACE ?? process.cwd(),
    runUrl: `${server}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID ?? '0'}${attempt}`,
    ...(baseSha ? { pullRequestBaseSha: baseSha } : {}),
  };
}

function pullRequestBase(eventName?: string, eventPath?: string): string | undefined {
  if (!eventName?.startsWith('pull_request') || !eventPath) return undefined;
  try {
    const payload = JSON.parse(readFileSync(eventPath, 'utf8')) as {
      pull_request?: { base?: { sha?: unknown } };
    };
    const sha = payload.pull_request?.base?.sha;
    return typeof sha === 'string' ? sha : undefined;
  } catch {
    return undefined;
  }
}
