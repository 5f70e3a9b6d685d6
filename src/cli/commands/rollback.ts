// `lattice-ingress rollback`: the rollback action from a workstation, for when GitHub Actions is unavailable. Same
// target resolution, stack update, following, evidence and digest check; credentials from the standard AWS chain,
// and GITHUB_TOKEN (optional) to read and record the environment's GitHub deployments.
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { environmentAdapters } from '../../actions/adapters.ts';
import { ConsoleIO } from '../../actions/console-io.ts';
import type { RunContext } from '../../actions/context.ts';
import { loadEnvironment } from '../../actions/environment.ts';
import { readRollbackInputs, rollbackAction } from '../../actions/rollback.ts';
import { runMain } from '../../actions/run.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: lattice-ingress rollback --environment NAME --reason TEXT [options]

Rolls an environment back exactly as the rollback action does: resolves the target to an image in ECR that was
deployed before, updates the Ingress stack's ImageTag, follows ECS to COMPLETED, verifies the running digest.
AWS credentials come from the standard chain (AWS_PROFILE, SSO, environment, roles) and must be for the
environment's account. With GITHUB_TOKEN set, the deployment history is read from and recorded on GitHub;
without it, targets resolve from registry tags only (so "previous" is not available).

  --environment NAME       environment of deployment.yaml
  --target previous|SHA|TAG  what to roll back to (default: previous)
  --reason TEXT            why (recorded with the deployment)
  --timeout-minutes N      give up after N minutes (default: 20)
  --poll-interval-seconds N  first interval between status polls (default: 10)
  --config DIR             configuration directory (default: config)`;

function localActor(): string {
  try {
    return execFileSync('git', ['config', 'user.name'], { encoding: 'utf8' }).trim() || userInfo().username;
  } catch {
    return userInfo().username;
  }
}

function localSha(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
}

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      environment: { type: 'string' },
      target: { type: 'string', default: 'previous' },
      reason: { type: 'string' },
      'timeout-minutes': { type: 'string', default: '20' },
      'poll-interval-seconds': { type: 'string', default: '10' },
      config: { type: 'string', default: 'config' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const io = new ConsoleIO({
    environment: values.environment ?? '',
    target: values.target,
    reason: values.reason ?? '',
    'timeout-minutes': values['timeout-minutes'],
    'poll-interval-seconds': values['poll-interval-seconds'],
    'config-dir': values.config,
    'github-token': process.env.GITHUB_TOKEN ?? '',
  });
  await runMain(io, async () => {
    const settings = readRollbackInputs(io);
    const { environment } = await loadEnvironment(settings.configDir, settings.environment);
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
    await rollbackAction(settings, io, run, environmentAdapters);
  });
  if (io.summary) console.log(`\n${io.summary}`);
  return io.failed ? 1 : 0;
};
