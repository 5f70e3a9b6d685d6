// The sample configuration the tests own, as the tests render it.
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/model.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

export const EXAMPLE_CONFIG_DIR = SAMPLE_CONFIG_DIR;

export async function exampleConfig(): Promise<Config> {
  const { config, diagnostics } = await loadConfig(EXAMPLE_CONFIG_DIR);
  if (!config)
    throw new Error(`the sample configuration does not validate: ${JSON.stringify(diagnostics, null, 2)}`);
  return config;
}
