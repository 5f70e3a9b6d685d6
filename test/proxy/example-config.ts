// The example configuration in config/, as the tests render it.
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/model.ts';

export const EXAMPLE_CONFIG_DIR = fileURLToPath(new URL('../../config', import.meta.url));

export async function exampleConfig(): Promise<Config> {
  const { config, diagnostics } = await loadConfig(EXAMPLE_CONFIG_DIR);
  if (!config) throw new Error(`config/ does not validate: ${JSON.stringify(diagnostics, null, 2)}`);
  return config;
}
