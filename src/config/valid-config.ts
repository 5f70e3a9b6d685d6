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

/** config/ read and checked: the configuration with its warnings, or its errors (with any warnings), which stop it. */
export type ConfigOpening =
  | ({ state: 'opened' } & ValidConfig)
  | { state: 'invalid'; diagnostics: readonly Diagnostic[] };

/** Loads the config directory; with an error in any file, nothing may act on it. */
export async function openConfigDir(dir: string, options: ParseOptions = {}): Promise<ConfigOpening> {
  const { config, diagnostics } = await loadConfig(dir, options);
  if (!config || hasErrors(diagnostics)) return { state: 'invalid', diagnostics };
  return { state: 'opened', config, warnings: diagnostics };
}

/** openConfigDir for callers that stop on an invalid configuration: throws InvalidConfigError. */
export async function requireValidConfig(dir: string, options: ParseOptions = {}): Promise<ValidConfig> {
  const opening = await openConfigDir(dir, options);
  if (opening.state === 'invalid') throw new InvalidConfigError(dir, opening.diagnostics);
  return { config: opening.config, warnings: opening.warnings };
}

export class UnknownEnvironmentError extends Error {
  override name = 'UnknownEnvironmentError';
}

/** The environment of deployment.yaml with this name, or why there is none, naming the ones there are. */
export function lookUpEnvironment(
  config: Config,
  name: string,
): { environment: Environment } | { unknown: string } {
  const environments = config.deployment.environments;
  const environment = environments.find((env) => env.name === name);
  if (environment) return { environment };
  const known = environments.map((env) => env.name).join(', ');
  return { unknown: `no environment "${name}" in deployment.yaml (known: ${known})` };
}

/** lookUpEnvironment for callers that stop on an unknown name: throws UnknownEnvironmentError. */
export function findEnvironment(config: Config, name: string): Environment {
  const found = lookUpEnvironment(config, name);
  if ('unknown' in found) throw new UnknownEnvironmentError(found.unknown);
  return found.environment;
}
