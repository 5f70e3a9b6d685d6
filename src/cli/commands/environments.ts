// `lattice-ingress environments`: the environments of config/deployment.yaml as the deploy workflow's matrix.
// The workflow never parses YAML itself, so the matrix only ever carries values the config model has validated.

import { parseArgs } from 'node:util';

import { environmentEntries } from '../../contract/matrix.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

const USAGE = `Usage: lattice-ingress environments [--config DIR] [--json] [--with-smoke-runner] [--only NAME]

Lists the environments of config/deployment.yaml, in deployment order.
  --json               one line of JSON (an array), for a GitHub Actions matrix
  --with-smoke-runner  only the environments that name a smokeRunner
  --only NAME          only that environment (an error when there is none)`;

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', default: 'config' },
      json: { type: 'boolean', default: false },
      'with-smoke-runner': { type: 'boolean', default: false },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  // Listed for deploys and rollbacks: an expired allowlist entry must not block them (pull requests fail on it).
  const config = await loadValidConfig(values.config, 'No environment was listed', { purpose: 'deploy' });
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
