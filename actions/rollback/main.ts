import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { environmentPorts } from '../../src/actions/ports.ts';
import { readRollbackSettings, rollbackAction } from '../../src/actions/rollback.ts';
import { runMain } from '../../src/actions/run.ts';

await runMain(coreIO, () =>
  rollbackAction(readRollbackSettings(coreIO), coreIO, runContext(), environmentPorts),
);
