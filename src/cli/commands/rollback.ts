// `lattice-ingress rollback`: the rollback action from a workstation, for when GitHub Actions is unavailable. Same
// target resolution, stack update, following, evidence and digest check; credentials from the standard AWS chain,
// and a GitHub token (GITHUB_TOKEN, else the gh CLI's) to read and record the environment's GitHub deployments.
// Whatever can be refused without AWS or GitHub (a malformed target, `previous` without a token) is refused first.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { rollbackPorts } from '../../actions/adapters.ts';
import { ConsoleIO } from '../../actions/console-io.ts';
import type { RunContext } from '../../actions/context.ts';
import { readRollbackInputs, rollbackAction } from '../../actions/rollback.ts';
import { ActionFailure, runMain } from '../../actions/run.ts';
import { parseRollbackTarget } from '../../rollout/rollback-target.ts';
import type { Command, FlagValues } from '../command.ts';

function localActor(): string {
  try {
    return execFileSync('git', ['config', 'user.name'], { encoding: 'utf8' }).trim() || userInfo().username;
  } catch {
    return userInfo().username;
  }
}

/** GITHUB_TOKEN, else the token the gh CLI is logged in with, else none. */
function githubToken(): string {
  if (process.env.GITHUB_TOKEN) return process.env.GITHUB_TOKEN;
  try {
    return execFileSync('gh', ['auth', 'token'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

function localSha(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export const command: Command = async (_args, { values }) => rollbackFromWorkstation(values);

async function rollbackFromWorkstation(values: FlagValues): Promise<number> {
  const text = (name: string) => String(values[name] ?? '');
  const io = new ConsoleIO({
    environment: text('env'),
    target: text('target'),
    reason: text('reason'),
    'allow-wider-access': String(values['allow-wider-access'] === true),
    'timeout-minutes': text('timeout-minutes'),
    'poll-interval-seconds': text('poll-interval-seconds'),
    'config-dir': text('config'),
    'github-token': githubToken(),
  });
  // No GITHUB_REPOSITORY here: the environment's github.repository names where its deployments are recorded.
  const run: RunContext = {
    owner: '',
    repo: '',
    sha: localSha(),
    ref: '',
    actor: localActor(),
    eventName: 'cli',
    workspace: process.cwd(),
    runUrl: '',
  };
  await runMain(io, async () => {
    const { request, source } = readRollbackInputs(io, run);
    const target = parseRollbackTarget(request.target);
    if (!source.githubToken && 'kind' in target && target.kind === 'previous') {
      throw new ActionFailure(
        "--target previous reads the environment's GitHub deployment history, and there is no GitHub token: set GITHUB_TOKEN (GITHUB_TOKEN=$(gh auth token)) or log in with gh auth login, or give --target SHA|TAG. Nothing was changed.",
      );
    }
    const profile = values.profile as string | undefined;
    await rollbackAction(request, io, rollbackPorts({ ...source, ...(profile ? { profile } : {}) }, run, io));
  });
  if (io.summary) console.log(`\n${io.summary}`);
  return io.failed ? 1 : 0;
}
