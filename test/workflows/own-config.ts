// A configuration the workflow tests own, with environment names of their own choosing, written to a temporary
// directory: the workflows must take every name from the config at run time, so no test here reads config/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';
import { fullConfig, toYaml } from '../config/full-config.ts';

const SECOND_OWN_ENVIRONMENT = 'blue-team';

/** The names, in deployment order, of the environments ownConfigDir() writes. */
export const OWN_ENVIRONMENTS = [
  ...(fullConfig().deployment as { environments: { name: string }[] }).environments.map((env) => env.name),
  SECOND_OWN_ENVIRONMENT,
];

/** Writes the four config files (the full example plus a second environment, blue-team) and returns the directory. */
export function ownConfigDir(dir = mkdtempSync(join(tmpdir(), 'workflow-config-'))): string {
  const raw = fullConfig();
  const environments = (raw.deployment as { environments: Record<string, unknown>[] }).environments;
  const [first] = environments;
  environments.push({
    ...first,
    name: SECOND_OWN_ENVIRONMENT,
    vpcCidr: '10.44.0.0/20',
    github: { ...(first?.github as object), environment: 'blue' },
    smokeRunner: undefined,
  });
  mkdirSync(dir, { recursive: true });
  for (const part of Object.keys(CONFIG_FILES) as ConfigPart[]) {
    writeFileSync(join(dir, CONFIG_FILES[part].file), toYaml(raw[part]));
  }
  return dir;
}
