// Finds the environment an action works on in config/, refusing invalid configuration before anything happens.
import { formatDiagnostics, hasErrors } from '../config/diagnostics.ts';
import { loadConfig } from '../config/load.ts';
import type { Config, Environment } from '../config/model.ts';
import { ActionFailure } from './run.ts';

export interface EnvironmentConfig {
  config: Config;
  environment: Environment;
}

export async function loadEnvironment(configDir: string, name: string): Promise<EnvironmentConfig> {
  const { config, diagnostics } = await loadConfig(configDir);
  if (!config || hasErrors(diagnostics)) {
    throw new ActionFailure(
      `${configDir} is not valid; nothing was changed. Fix these first (the validate action annotates them):\n` +
        formatDiagnostics(diagnostics, 'text'),
    );
  }
  const environment = config.deployment.environments.find((env) => env.name === name);
  if (!environment) {
    const known = config.deployment.environments.map((env) => env.name).join(', ');
    throw new ActionFailure(
      `environment "${name}" is not in ${configDir}/deployment.yaml (environments: ${known})`,
    );
  }
  return { config, environment };
}
