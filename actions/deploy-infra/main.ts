import { tmpdir } from 'node:os';
import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { deployInfraAction, readDeployInfraSettings } from '../../src/actions/deploy-infra.ts';
import { deployInfraPorts } from '../../src/actions/deploy-infra-adapters.ts';
import { runMain } from '../../src/actions/run.ts';

await runMain(coreIO, async () => {
  const settings = readDeployInfraSettings(coreIO);
  const ports = deployInfraPorts(runContext(), settings.configDir, coreIO);
  await deployInfraAction(settings, coreIO, ports, process.env.RUNNER_TEMP ?? tmpdir());
});
