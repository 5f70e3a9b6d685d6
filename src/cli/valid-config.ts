import { formatDiagnostics } from '../config/diagnostics.ts';
import { loadConfig, type ParseOptions } from '../config/load.ts';
import type { Config } from '../config/model.ts';

/**
 * Loads the config for a command that acts on it. Errors and warnings go to stderr (stdout stays the command's
 * own output); with errors, `nothingDone` says what the command did not do and the result is undefined.
 */
export async function loadValidConfig(
  dir: string,
  nothingDone: string,
  options: ParseOptions = {},
): Promise<Config | undefined> {
  const { config, diagnostics } = await loadConfig(dir, options);
  if (diagnostics.length > 0) console.error(formatDiagnostics(diagnostics, 'text'));
  if (!config) console.error(`\n${nothingDone}: fix ${dir}/ first.`);
  return config;
}
