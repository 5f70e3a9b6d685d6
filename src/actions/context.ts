// The workflow run the action is part of, read once from the runner's GITHUB_* variables.

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
}

export function runContext(env: NodeJS.ProcessEnv = process.env): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const attempt = env.GITHUB_RUN_ATTEMPT ? `/attempts/${env.GITHUB_RUN_ATTEMPT}` : '';
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
  };
}
