import { tmpdir } from 'node:os';
import { environmentAdapters } from '../../src/actions/adapters.ts';
import { buildPushAction, readBuildPushSettings } from '../../src/actions/build-push.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { runMain } from '../../src/actions/run.ts';
import { DockerBuildx } from '../../src/build/docker.ts';
import { runCommand } from '../../src/process/command.ts';

await runMain(coreIO, async () => {
  const run = runContext();
  await buildPushAction(
    readBuildPushSettings(coreIO),
    coreIO,
    run,
    async (environment, push) => ({
      ...(push ? { registry: (await environmentAdapters(environment, run, undefined)).registry } : {}),
      builder: new DockerBuildx(runCommand, (line) => coreIO.info(line)),
    }),
    process.env.RUNNER_TEMP ?? tmpdir(),
  );
});
