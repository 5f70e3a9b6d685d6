import { coreIO } from '../../src/actions/core-io.ts';
import { ActionFailure, runMain } from '../../src/actions/run.ts';
import { InvalidConfigError, requireValidConfig } from '../../src/config/valid-config.ts';
import { environmentEntries } from '../../src/contract/matrix.ts';

await runMain(coreIO, async () => {
  const configDir = coreIO.getInput('config-dir') || 'config';
  // As for the CLI's deploy listing: an expired allowlist entry must not block a deploy (pull requests fail on it).
  const { config } = await requireValidConfig(configDir, { expired: 'leave-out' }).catch((error: unknown) => {
    // Its message lists every error with file:line:column; the stack would add nothing.
    throw error instanceof InvalidConfigError ? new ActionFailure(error.message) : error;
  });
  coreIO.setOutput('all', JSON.stringify(environmentEntries(config.deployment)));
});
