// What every command that acts on the configuration starts with: load it, refuse it when it has errors, and find the
// environment it was asked about. Callers decide how a refusal is shown (a CLI message, a failed step, a thrown error).
import { type Diagnostic, formatDiagnostics, hasErrors } from './diagnostics.ts';
import { loadConfig, type ParseOptions } from './load.ts';
import type { Config, Environment } from './model.ts';

export class InvalidConfigError extends Error {
  override name = 'InvalidConfigError';
  constructor(
    readonly dir: string,
    readonly diagnostics: readonly Diagnostic[],
  ) {
    super(`${dir} has errors:\n${formatDiagnostics(diagnostics, 'text')}`);
  }
}

export interface ValidConfig {
  config: Config;
  /** Warnings only: with an error there is no ValidConfig. */
  warnings: Diagnostic[];
}

/** Loads the config directory; throws InvalidConfigError when any file has an error, so nothing acts on it. */
export async function requireValidConfig(dir: string, options: ParseOptions = {}): Promise<ValidConfig> {
  const { config, diagnostics } = await loadConfig(dir, options);
  if (!config || hasErrors(diagnostics)) throw new InvalidConfigError(dir, diagnostics);
  return { config, warnings: diagnostics };
}

export class UnknownEnvironmentError extends Error {
  override name = 'UnknownEnvironmentError';
}

/** The environment of deployment.yaml with this name; the error lists the names there are. */
export function findEnvironment(config: Config, name: string): Environment {
  const environments = config.deployment.environments;
  const environment = environments.find((env) => env.name === name);
  if (environment) return environment;
  const known = environments.map((env) => env.name).join(', ');
  throw new UnknownEnvironmentError(`no environment "${name}" in deployment.yaml (known: ${known})`);
}
