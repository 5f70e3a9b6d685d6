import { environmentAdapters } from '../../src/actions/adapters.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { readRolloutInputs, rolloutAction } from '../../src/actions/rollout.ts';
import { runMain } from '../../src/actions/run.ts';

await runMain(coreIO, () =>
  rolloutAction(readRolloutInputs(coreIO), coreIO, runContext(), environmentAdapters),
);
