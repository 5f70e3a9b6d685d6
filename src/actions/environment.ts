// Finds the environment an action works on in config/, refusing invalid configuration before anything happens.
// Checked for a deploy: an expired allowlist entry is a warning and is left out (the pull request that merged it
// already failed on it, and it must not block an emergency rollback), every other error refuses.
import { formatDiagnostics } from '../config/diagnostics.ts';
import type { Config, Environment } from '../config/model.ts';
import { lookUpEnvironment, openConfigDir } from '../config/valid-config.ts';
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
  /** The instant that decides which entries have expired (a caller recording the render's day passes its own). */
  now: Date = new Date(),
): Promise<EnvironmentConfig> {
  const opening = await openConfigDir(configDir, { expired: 'leave-out', now });
  if (opening.state === 'invalid')
    throw new ActionFailure(
      `${configDir} is not valid; nothing was changed. Fix these first (the validate action annotates them):\n` +
        formatDiagnostics(opening.diagnostics, 'text'),
    );
  const { config, warnings } = opening;
  for (const warning of warnings.filter((d) => d.code === 'entry-expired-left-out')) {
    io.warning(`[${warning.code}] ${warning.message}`, {
      file: warning.file,
      line: warning.line,
      column: warning.column,
    });
  }
  const found = lookUpEnvironment(config, name);
  if ('unknown' in found) throw new ActionFailure(`${found.unknown}; nothing was changed`);
  return { config, environment: found.environment };
}
