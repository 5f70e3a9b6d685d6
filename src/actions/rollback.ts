// The rollback action: its inputs become the rollback operation's request (src/operations/roll-back.ts) and where to
// deploy from; the outcome becomes the summary, the outputs and the step's result (rollback-report.ts).
import { type RollbackPorts, type RollbackRequest, rollBack } from '../operations/roll-back.ts';
import { parseRollbackTarget } from '../rollout/rollback-target.ts';
import type { DeploySource } from './adapters.ts';
import type { RunContext } from './context.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { reportRollback } from './rollback-report.ts';
import { readFollowInputs } from './rollout.ts';

export function readRollbackInputs(
  io: ActionIO,
  run: RunContext,
): { request: RollbackRequest; source: DeploySource } {
  const inputs = new InputReader(io);
  const environment = inputs.required('environment');
  const target = inputs.optional('target') ?? 'previous';
  const why = inputs.required('reason');
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
  await reportRollback(request, outcome, io);
}
