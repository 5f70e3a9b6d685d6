// `lattice-ingress rollback`: the rollback action from a workstation, for when GitHub Actions is unavailable. Same
// target resolution, stack update, following, evidence and digest check; credentials from the standard AWS chain,
// and a GitHub token (GITHUB_TOKEN, else the gh CLI's) to read and record the environment's GitHub deployments.
// Whatever can be refused without AWS or GitHub (a malformed target, `previous` without a token) is refused first.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { environmentAdapters } from '../../actions/adapters.ts';
import { ConsoleIO } from '../../actions/console-io.ts';
import type { RunContext } from '../../actions/context.ts';
import { loadEnvironment } from '../../actions/environment.ts';
import { readRollbackInputs, reportRollback, rollbackRequest } from '../../actions/rollback.ts';
import { gitAccessAt } from '../../actions/rollback-access.ts';
import { ActionFailure, runMain } from '../../actions/run.ts';
import { rollBack } from '../../operations/roll-back.ts';
import { parseRollbackTarget } from '../../rollout/rollback-target.ts';
import type { Command } from '../command.ts';

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

export const command: Command = async (_args, { values }) => {
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
  await runMain(io, async () => {
    const settings = readRollbackInputs(io);
    const target = parseRollbackTarget(settings.target);
    if (!settings.githubToken && 'kind' in target && target.kind === 'previous') {
      throw new ActionFailure(
        "--target previous reads the environment's GitHub deployment history, and there is no GitHub token: set GITHUB_TOKEN (GITHUB_TOKEN=$(gh auth token)) or log in with gh auth login, or give --target SHA|TAG. Nothing was changed.",
      );
    }
    const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
    const [owner = '', repo = ''] = environment.github.repository.split('/');
    const run: RunContext = {
      owner,
      repo,
      sha: localSha(),
      ref: '',
      actor: localActor(),
      eventName: 'cli',
      workspace: process.cwd(),
      runUrl: '',
    };
    const adapters = await environmentAdapters(
      environment,
      run,
      settings.githubToken,
      values.profile as string | undefined,
    );
    const ports = { ...adapters, accessAt: gitAccessAt(settings.configDir) };
    const outcome = await rollBack(rollbackRequest(settings, run, config, environment), ports, io);
    await reportRollback(settings, run, outcome, io);
  });
  if (io.summary) console.log(`\n${io.summary}`);
  return io.failed ? 1 : 0;
};
