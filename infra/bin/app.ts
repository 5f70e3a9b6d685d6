// `cdk synth` entry: reads config/ through the same loader as every other command and refuses to synth on errors.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expiryFromEnvironment } from '../../src/config/expiry.ts';
import { InvalidConfigError, requireValidConfig } from '../../src/config/valid-config.ts';

const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const configDir = process.env.LATTICE_INGRESS_CONFIG_DIR ?? resolve(repositoryRoot, 'config');
// deploy-infra hands in 'leave-out' and its day: an expired allowlist entry is then left out instead of refusing.
const expiry = expiryFromEnvironment(process.env);

try {
  const { config } = await requireValidConfig(configDir, expiry);
  // Loaded only for a valid configuration: the constructs take seconds to load, a refusal needs none of them.
  const { buildApp } = await import('../app.ts');
  buildApp(config).app.synth();
} catch (error) {
  if (!(error instanceof InvalidConfigError)) throw error;
  console.error(error.message);
  console.error(`infra: not synthesizing, ${configDir} has errors`);
  process.exit(1);
}
