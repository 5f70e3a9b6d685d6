import { runContext } from '../../src/actions/context.ts';
import { coreIO } from '../../src/actions/core-io.ts';
import { runMain } from '../../src/actions/run.ts';
import { readValidateSettings, validateAction } from '../../src/actions/validate.ts';
import { validatePorts } from '../../src/actions/validate-adapters.ts';

await runMain(coreIO, async () => {
  const settings = readValidateSettings(coreIO, runContext());
  await validateAction(settings, coreIO, validatePorts(settings.configDir));
});
