// `lattice-ingress environments`: the environments of config/deployment.yaml as the deploy workflow's matrix.
// The workflow never parses YAML itself, so the matrix only ever carries values the config model has validated.

import { environmentEntries } from '../../contract/matrix.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as {
    config: string;
    json: boolean;
    'with-smoke-runner': boolean;
    only?: string;
  };
  // Listed for deploys and rollbacks: an expired allowlist entry must not block them (pull requests fail on it).
  const config = await loadValidConfig(values.config, 'No environment was listed', { expired: 'leave-out' });
  if (!config) return 1;
  const entries = environmentEntries(config.deployment).filter(
    (entry) =>
      (!values['with-smoke-runner'] || entry.smokeRunner !== '') &&
      (values.only === undefined || entry.name === values.only),
  );
  if (values.only !== undefined && entries.length === 0) {
    const known = config.deployment.environments.map((e) => e.name).join(', ');
    throw new Error(`no environment named "${values.only}" in deployment.yaml (there are: ${known})`);
  }
  if (values.json) {
    console.log(JSON.stringify(entries));
  } else {
    for (const e of entries) {
      const runner = e.smokeRunner ? `, smoke runner ${e.smokeRunner}` : '';
      console.log(
        `${e.name}: ${e.mode} in ${e.account}/${e.region}, GitHub environment ${e.githubEnvironment}${runner}`,
      );
    }
  }
  return 0;
};
