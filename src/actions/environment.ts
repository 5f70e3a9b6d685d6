// Finds the environment an action works on in config/, refusing invalid configuration before anything happens.
import { formatDiagnostics } from '../config/diagnostics.ts';
import type { Config, Environment } from '../config/model.ts';
import {
  findEnvironment,
  InvalidConfigError,
  requireValidConfig,
  UnknownEnvironmentError,
} from '../config/valid-config.ts';
import { ActionFailure } from './run.ts';

export interface EnvironmentConfig {
  config: Config;
  environment: Environment;
}

export async function loadEnvironment(configDir: string, name: string): Promise<EnvironmentConfig> {
  try {
    const { config } = await requireValidConfig(configDir);
    return { config, environment: findEnvironment(config, name) };
  } catch (error) {
    if (error instanceof InvalidConfigError) {
      throw new ActionFailure(
        `${configDir} is not valid; nothing was changed. Fix these first (the validate action annotates them):\n` +
          formatDiagnostics(error.diagnostics, 'text'),
      );
    }
    if (error instanceof UnknownEnvironmentError)
      throw new ActionFailure(`${error.message}; nothing was changed`);
    throw error;
  }
}
