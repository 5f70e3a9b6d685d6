// The revoke command's ports: the environment and its allowlist from config/ (expired entries kept), and the
// revocation network ACL of its Ingress stack through clients for its Region (and --profile, when given).
import { createAwsClients } from '../../aws/clients.ts';
import { stackRevocationAcl } from '../../aws/network-acl.ts';
import { formatDiagnostics } from '../../config/diagnostics.ts';
import { systemClock } from '../../operations/ports.ts';
import type { RevocationOpening, RevocationPorts } from '../../operations/revoke.ts';
import { readConfigAllowingExpired } from '../valid-config.ts';

export type ConfigRead = ReturnType<typeof readConfigAllowingExpired>;

/** config/ read once for the run: the opener checks it, and --write-allowlist edits the allowlist.yaml it read. */
export function readOnce(configDir: string): () => ConfigRead {
  let read: ConfigRead | undefined;
  return () => {
    read ??= readConfigAllowingExpired(configDir);
    return read;
  };
}

export function revocationPorts(
  configDir: string,
  readConfig: () => ConfigRead,
  profile?: string,
): RevocationPorts {
  return {
    open: (name) => openForRevocation(configDir, readConfig, name),
    revocationAcl: (environment) =>
      stackRevocationAcl(createAwsClients({ region: environment.region, ...(profile ? { profile } : {}) }))(
        environment,
      ),
    clock: systemClock,
  };
}

async function openForRevocation(
  configDir: string,
  readConfig: () => ConfigRead,
  name: string,
): Promise<RevocationOpening> {
  const read = await readConfig();
  if ('blocking' in read) {
    return {
      state: 'refused',
      reason: `${configDir} is not valid:\n${formatDiagnostics(read.blocking, 'text')}`,
      fix: `fix ${configDir}/ first`,
    };
  }
  const { deployment, allowlist } = read.loaded;
  const environment = deployment.environments.find((e) => e.name === name);
  if (!environment) {
    const known = deployment.environments.map((e) => e.name).join(', ');
    return {
      state: 'refused',
      reason: `no environment named "${name}" in deployment.yaml`,
      fix: `name one of them with --env: ${known}`,
    };
  }
  return { state: 'opened', environment, allowlist: allowlist.entries };
}
