import { environmentAdapters } from '../../src/actions/adapters.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { readRollbackInputs, rollbackAction } from '../../src/actions/rollback.ts';
import { runMain } from '../../src/actions/run.ts';

await runMain(coreIO, () =>
  rollbackAction(readRollbackInputs(coreIO), coreIO, runContext(), environmentAdapters),
);
