import { tmpdir } from 'node:os';
import { environmentAdapters } from '../../src/actions/adapters.ts';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { deployInfraAction, readDeployInfraSettings, workspaceCdk } from '../../src/actions/deploy-infra.ts';
import { runMain } from '../../src/actions/run.ts';
import { runCommand } from '../../src/process/command.ts';

await runMain(coreIO, async () => {
  const run = runContext();
  await deployInfraAction(
    readDeployInfraSettings(coreIO),
    coreIO,
    run,
    async (environment) => ({
      stacks: (await environmentAdapters(environment, run, undefined)).stacks,
      cdk: workspaceCdk(run.workspace, runCommand, (line) => coreIO.info(line)),
    }),
    process.env.RUNNER_TEMP ?? tmpdir(),
  );
});
