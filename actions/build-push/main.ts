import { tmpdir } from 'node:os';
import { buildPushAction, readBuildPushSettings } from '../../src/actions/build-push.ts';
import { buildPushPorts } from '../../src/actions/build-push-adapters.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { runMain } from '../../src/actions/run.ts';

await runMain(coreIO, async () => {
  const run = runContext();
  const tempDir = process.env.RUNNER_TEMP ?? tmpdir();
  await buildPushAction(readBuildPushSettings(coreIO), coreIO, run, buildPushPorts(run, coreIO), tempDir);
});
