// The rollback action: its inputs become the rollback operation's request (src/operations/roll-back.ts) and where to
// deploy from; the outcome becomes the summary (src/operations/roll-back-report.ts), the outputs and the step's result.
import { type RollbackPorts, type RollbackRequest, rollBack } from '../operations/roll-back.ts';
import { accessFix, accessReport, overriddenAccess, rollbackHeader } from '../operations/roll-back-report.ts';
import { parseRollbackTarget } from '../rollout/rollback-target.ts';
import type { DeploySource } from './adapters.ts';
import type { RunContext } from './context.ts';
import { InputReader } from './inputs.ts';
import { type ActionIO, newReport } from './io.ts';
import { readFollowInputs, reportRollout } from './rollout.ts';
import { ActionFailure } from './run.ts';

export function readRollbackInputs(
  io: ActionIO,
  run: RunContext,
): { request: RollbackRequest; source: DeploySource } {
  const inputs = new InputReader(io);
  const environment = inputs.required('environment');
  const target = inputs.optional('target') ?? 'previous';
  const why = inputs.required('reason');
  /** Go ahead when the target would re-admit a range or a service (the operator saw the comparison). */
  const allowWiderAccess = inputs.boolean('allow-wider-access', false);
  const { follow, source } = readFollowInputs(inputs);
  const parsed = parseRollbackTarget(target);
  if ('error' in parsed) inputs.problem(parsed.error);
  inputs.done();
  const request = {
    environment,
    target,
    who: run.actor,
    why,
    allowWiderAccess,
    fallbackSha: run.sha,
    logUrl: run.runUrl,
    ...follow,
  };
  return { request, source };
}

export async function rollbackAction(
  request: RollbackRequest,
  io: ActionIO,
  ports: RollbackPorts,
): Promise<void> {
  const outcome = await rollBack(request, ports, io);
  if (outcome.state === 'refused') {
    const report = newReport(io).heading('Rollback refused').paragraph(outcome.reason);
    await io.appendSummary((outcome.access ? accessReport(outcome.access, report) : report).text());
    throw new ActionFailure(`${outcome.reason}${outcome.access ? accessFix(outcome.access) : ''}`);
  }
  await io.appendSummary(accessReport(outcome.access, newReport(io)).text());
  const overridden = overriddenAccess(outcome.access);
  if (overridden) io.warning(overridden);
  const completed = await reportRollout(rollbackHeader(request, outcome.resolution), outcome.rollout, io);
  io.setOutput('image-tag', outcome.resolution.imageTag);
  io.setOutput('rolled-back-from', completed.previousImageTag);
}
