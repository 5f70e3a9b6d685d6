// The ports of the validate action: the configuration files in the working tree and at a git ref, and the clock.
import { readConfigSources } from '../config/load.ts';
import { readSourcesAtRef } from '../diff/git.ts';
import { systemClock } from '../operations/ports.ts';
import type { ValidatePorts } from '../operations/validate.ts';

export function validatePorts(configDir: string): ValidatePorts {
  return {
    sources: () => readConfigSources(configDir),
    sourcesAt: (ref) => readSourcesAtRef(ref, configDir),
    clock: systemClock,
  };
}
