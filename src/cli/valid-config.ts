import { formatDiagnostics } from '../config/diagnostics.ts';
import { loadConfig } from '../config/load.ts';
import type { Config, Environment } from '../config/model.ts';

/**
 * Loads the config for a command that acts on it. Errors and warnings go to stderr (stdout stays the command's
 * own output); with errors, `nothingDone` says what the command did not do and the result is undefined.
 */
export async function loadValidConfig(dir: string, nothingDone: string): Promise<Config | undefined> {
  const { config, diagnostics } = await loadConfig(dir);
  if (diagnostics.length > 0) console.error(formatDiagnostics(diagnostics, 'text'));
  if (!config) console.error(`\n${nothingDone}: fix ${dir}/ first.`);
  return config;
}

/** The environment of deployment.yaml called `name`; throws naming the known ones. */
export function environmentNamed(config: Config, name: string): Environment {
  const env = config.deployment.environments.find((candidate) => candidate.name === name);
  if (env) return env;
  const known = config.deployment.environments.map((candidate) => candidate.name).join(', ');
  throw new Error(`no environment "${name}" in deployment.yaml (known: ${known})`);
}
