// Finds the environment an action works on in config/, refusing invalid configuration before anything happens.
// Checked for a deploy: an expired allowlist entry is a warning and is left out (the pull request that merged it
// already failed on it, and it must not block an emergency rollback), every other error refuses.
import { formatDiagnostics, hasErrors } from '../config/diagnostics.ts';
import { loadConfig } from '../config/load.ts';
import type { Config, Environment } from '../config/model.ts';
import { EXPIRED_LEFT_OUT } from '../config/rules.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export interface EnvironmentConfig {
  config: Config;
  environment: Environment;
}

export async function loadEnvironment(
  configDir: string,
  name: string,
  io: Pick<ActionIO, 'warning'>,
): Promise<EnvironmentConfig> {
  const { config, diagnostics } = await loadConfig(configDir, { purpose: 'deploy' });
  if (!config || hasErrors(diagnostics)) {
    throw new ActionFailure(
      `${configDir} is not valid; nothing was changed. Fix these first (the validate action annotates them):\n` +
        formatDiagnostics(diagnostics, 'text'),
    );
  }
  for (const warning of diagnostics.filter((d) => d.code === EXPIRED_LEFT_OUT)) {
    io.warning(`[${warning.code}] ${warning.message}`, {
      file: warning.file,
      line: warning.line,
      column: warning.column,
    });
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
