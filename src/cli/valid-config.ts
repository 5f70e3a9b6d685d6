import { formatDiagnostics } from '../config/diagnostics.ts';
import type { ParseOptions } from '../config/load.ts';
import type { Config } from '../config/model.ts';
import { InvalidConfigError, requireValidConfig } from '../config/valid-config.ts';

/**
 * Loads the config for a command that acts on it. Errors and warnings go to stderr (stdout stays the command's
 * own output); with errors, `nothingDone` says what the command did not do and the result is undefined.
 */
export async function loadValidConfig(
  dir: string,
  nothingDone: string,
  options: ParseOptions = {},
): Promise<Config | undefined> {
  try {
    const { config, warnings } = await requireValidConfig(dir, options);
    if (warnings.length > 0) console.error(formatDiagnostics(warnings, 'text'));
    return config;
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    console.error(formatDiagnostics(error.diagnostics, 'text'));
    console.error(`\n${nothingDone}: fix ${dir}/ first.`);
    return undefined;
  }
}
