import { rollbackPorts } from '../../src/actions/adapters.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { readRollbackInputs, rollbackAction } from '../../src/actions/rollback.ts';
import { runMain } from '../../src/actions/run.ts';

const run = runContext();
await runMain(coreIO, () => {
  const { request, source } = readRollbackInputs(coreIO, run);
  return rollbackAction(request, coreIO, rollbackPorts(source, run, coreIO));
});
