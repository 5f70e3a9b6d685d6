import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { environmentPorts } from '../../src/actions/ports.ts';
import { readRolloutSettings, rolloutAction } from '../../src/actions/rollout.ts';
import { runMain } from '../../src/actions/run.ts';

await runMain(coreIO, () =>
  rolloutAction(readRolloutSettings(coreIO), coreIO, runContext(), environmentPorts),
);
