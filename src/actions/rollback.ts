// The rollback action: inputs into the rollback operation (src/operations/roll-back.ts), its outcome into the
// summary, the outputs and the step's result.

import { type Config, type Environment, githubEnvironment } from '../config/model.ts';
import { type RollbackOutcome, type RollbackRequest, rollBack } from '../operations/roll-back.ts';
import { parseRollbackTarget } from '../rollout/rollback-target.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import { type ActionIO, newReport } from './io.ts';
import { accessFix, accessReport, gitAccessAt, overriddenAccess } from './rollback-access.ts';
import { type AdaptersFactory, type FollowInputs, readFollowInputs } from './rollout.ts';
import { reportRollout } from './rollout-report.ts';
import { ActionFailure } from './run.ts';

export interface RollbackInputs extends FollowInputs {
  configDir: string;
  environment: string;
  target: string;
  reason: string;
  /** Go ahead when the target would re-admit a range or a service (the operator saw the comparison). */
  allowWiderAccess: boolean;
}

export function readRollbackInputs(io: ActionIO): RollbackInputs {
  const inputs = new InputReader(io);
  const settings: RollbackInputs = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    target: inputs.optional('target') ?? 'previous',
    reason: inputs.required('reason'),
    allowWiderAccess: inputs.boolean('allow-wider-access', false),
    ...readFollowInputs(inputs),
  };
  const parsed = parseRollbackTarget(settings.target);
  if ('error' in parsed) inputs.problem(parsed.error);
  inputs.done();
  return settings;
}

export async function rollbackAction(
  settings: RollbackInputs,
  io: ActionIO,
  run: RunContext,
  createAdapters: AdaptersFactory,
): Promise<void> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const adapters = await createAdapters(environment, run, settings.githubToken);
  const ports = { ...adapters, accessAt: gitAccessAt(settings.configDir) };
  const outcome = await rollBack(rollbackRequest(settings, run, config, environment), ports, io);
  await reportRollback(settings, run, outcome, io);
}

/** The operation's request from the inputs, the run and the checked-out configuration. */
export function rollbackRequest(
  settings: RollbackInputs,
  run: RunContext,
  checkedOut: Config,
  environment: Environment,
): RollbackRequest {
  return {
    environment,
    githubEnvironment: githubEnvironment(environment),
    target: settings.target,
    who: run.actor,
    why: settings.reason,
    checkedOut,
    allowWiderAccess: settings.allowWiderAccess,
    fallbackSha: run.sha,
    logUrl: run.runUrl,
    timeoutMs: settings.timeoutMinutes * 60_000,
    pollIntervalMs: settings.pollIntervalSeconds * 1000,
    cancelOnTimeout: settings.cancelOnTimeout,
  };
}

/** The outcome in the summary, the log and the outputs; throws ActionFailure unless the rollback completed. */
export async function reportRollback(
  settings: RollbackInputs,
  run: RunContext,
  outcome: RollbackOutcome,
  io: ActionIO,
) {
  if (outcome.state === 'refused') {
    const report = newReport(io).heading('Rollback refused').paragraph(outcome.reason);
    await io.appendSummary((outcome.access ? accessReport(outcome.access, report) : report).text());
    throw new ActionFailure(`${outcome.reason}${outcome.access ? accessFix(outcome.access) : ''}`);
  }
  const { resolution, access, rollout } = outcome;
  await io.appendSummary(accessReport(access, newReport(io)).text());
  const overridden = overriddenAccess(access);
  if (overridden) io.warning(overridden);
  const completed = await reportRollout(
    {
      title: 'Rollback',
      imageTag: resolution.imageTag,
      environmentName: settings.environment,
      context: [
        { label: 'Who', value: run.actor, code: true },
        { label: 'Why', value: settings.reason },
        { label: 'Requested target', value: settings.target, code: true },
        {
          label: 'Resolved from',
          value:
            resolution.via === 'history'
              ? `deployment ${resolution.record?.id ?? ''} (${resolution.record?.createdAt ?? ''})`
              : 'registry tags',
        },
      ],
    },
    rollout,
    io,
  );
  io.setOutput('image-tag', resolution.imageTag);
  io.setOutput('rolled-back-from', completed.previousImageTag);
}
