import { coreIO } from '../../src/actions/core-io.ts';
import { ActionFailure, runMain } from '../../src/actions/run.ts';
import { environmentEntries } from '../../src/cli/commands/environments.ts';
import { loadValidConfig } from '../../src/cli/valid-config.ts';

await runMain(coreIO, async () => {
  const configDir = coreIO.getInput('config-dir') || 'config';
  // As for the CLI's deploy listing: an expired allowlist entry must not block a deploy (pull requests fail on it).
  const config = await loadValidConfig(configDir, 'No environment was listed', { purpose: 'deploy' });
  if (!config) throw new ActionFailure(`${configDir} is not valid; the errors are listed above`);
  coreIO.setOutput('all', JSON.stringify(environmentEntries(config.deployment)));
});
