import { environmentOpener } from '../../src/actions/adapters.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { readRolloutInputs, rolloutAction } from '../../src/actions/rollout.ts';
import { runMain } from '../../src/actions/run.ts';

const run = runContext();
await runMain(coreIO, () => {
  const { request, source } = readRolloutInputs(coreIO, run);
  return rolloutAction(request, coreIO, environmentOpener(source, run, coreIO));
});
