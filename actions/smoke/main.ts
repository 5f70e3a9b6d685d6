import { tmpdir } from 'node:os';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { runMain } from '../../src/actions/run.ts';
import { readSmokeSettings, smokeAction } from '../../src/actions/smoke.ts';
import { smokePorts } from '../../src/actions/smoke-adapters.ts';

await runMain(coreIO, async () => {
  const settings = readSmokeSettings(coreIO, runContext().workspace, process.env.RUNNER_TEMP ?? tmpdir());
  await smokeAction(settings, coreIO, smokePorts);
});
