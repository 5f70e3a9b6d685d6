import { type Diagnostic, formatDiagnostics } from '../config/diagnostics.ts';
import { loadConfig, type ParseOptions } from '../config/load.ts';
import type { ParsedFile } from '../config/locate.ts';
import type { Allowlist, Config, Deployment } from '../config/model.ts';
import { openConfigDir } from '../config/valid-config.ts';
import type { YamlSource } from '../config/yaml-source.ts';

/**
 * Loads the config for a command that acts on it. Errors and warnings go to stderr (stdout stays the command's
 * own output); with errors, `nothingDone` says what the command did not do and the result is undefined.
 */
export async function loadValidConfig(
  dir: string,
  nothingDone: string,
  options: ParseOptions = {},
): Promise<Config | undefined> {
  const opening = await openConfigDir(dir, options);
  if (opening.state === 'invalid') {
    reportInvalidConfig(dir, opening.diagnostics, nothingDone);
    return undefined;
  }
  if (opening.warnings.length > 0) console.error(formatDiagnostics(opening.warnings, 'text'));
  return opening.config;
}

/** A configuration's errors on stderr, and what the command did not do because of them. */
export function reportInvalidConfig(
  dir: string,
  diagnostics: readonly Diagnostic[],
  nothingDone: string,
): void {
  console.error(formatDiagnostics(diagnostics, 'text'));
  console.error(`\n${nothingDone}: fix ${dir}/ first.`);
}

export interface AllowlistAndDeployment {
  allowlist: Allowlist;
  deployment: Deployment;
  /** allowlist.yaml as parsed, for edits that keep its comments and layout. */
  allowlistSource: YamlSource;
  allowlistFile: ParsedFile;
}

/**
 * For the commands that enforce expiry and revoke access: an expired allowlist entry is what they exist to handle,
 * so it is kept as written and does not stop them (`expired: 'keep'`); any other error does, as in loadValidConfig.
 * `blocking` holds those errors (none when a file is missing or does not parse past what they report).
 */
export async function readConfigAllowingExpired(
  dir: string,
  now?: Date,
): Promise<{ loaded: AllowlistAndDeployment } | { blocking: Diagnostic[] }> {
  const { parts, diagnostics, files } = await loadConfig(dir, { expired: 'keep', ...(now ? { now } : {}) });
  const blocking = diagnostics.filter((d) => d.severity === 'error');
  if (blocking.length > 0 || !parts.allowlist || !parts.deployment || !files.allowlist) return { blocking };
  return {
    loaded: {
      allowlist: parts.allowlist,
      deployment: parts.deployment,
      allowlistSource: files.allowlist.source,
      allowlistFile: files.allowlist,
    },
  };
}

/** readConfigAllowingExpired, its errors on stderr with what was not done. */
export async function loadConfigAllowingExpired(
  dir: string,
  nothingDone: string,
  now?: Date,
): Promise<AllowlistAndDeployment | undefined> {
  const read = await readConfigAllowingExpired(dir, now);
  if ('loaded' in read) return read.loaded;
  if (read.blocking.length > 0) console.error(formatDiagnostics(read.blocking, 'text'));
  console.error(`\n${nothingDone}: fix ${dir}/ first.`);
  return undefined;
}
