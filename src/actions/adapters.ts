// Wires the AWS and GitHub adapters for an environment, and opens environments for the deploy operations: the only
// place the deploy actions construct clients.
import { type AwsClients, createAwsClients, createGitHubClient, credentialsProblem } from '../aws/clients.ts';
import { Stacks } from '../aws/cloudformation.ts';
import { Registry } from '../aws/ecr.ts';
import { Fleet } from '../aws/ecs.ts';

import { assertAccount } from '../aws/sts.ts';
import { type Environment, githubEnvironment } from '../config/model.ts';
import { repositoryName } from '../contract/names.ts';
import { GitHubDeployments } from '../github/deployments.ts';
import { type EnvironmentOpener, systemClock } from '../operations/ports.ts';
import type { RollbackPorts } from '../operations/roll-back.ts';
import type { RolloutAdapters } from '../operations/roll-out.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import type { ActionIO } from './io.ts';
import { gitAccessAt } from './rollback-access.ts';
import { ActionFailure } from './run.ts';

export interface EnvironmentAdapters extends RolloutAdapters {
  registry: Registry;
  clients: AwsClients;
  stacks: Stacks;
  fleet(cluster: string, service: string): Fleet;
}

/** Checks the credentials are for the environment's account, then builds the adapters. */
export async function environmentAdapters(
  environment: Environment,
  run: RunContext,
  githubToken: string | undefined,
  /** A named AWS profile (a workstation's --profile); else the default credential chain. */
  profile?: string,
): Promise<EnvironmentAdapters> {
  const clients = createAwsClients({ region: environment.region, ...(profile ? { profile } : {}) });
  await assertAccount(clients.sts, environment.account, environment.name).catch((error: unknown) => {
    throw new ActionFailure(credentialsProblem(error));
  });
  const repository = repositoryName(environment);
  // A workstation run has no GITHUB_REPOSITORY: the environment names the repository its deployments belong to.
  const [owner = '', repo = ''] = run.owner
    ? [run.owner, run.repo]
    : environment.github.repository.split('/');
  return {
    clients,
    stacks: new Stacks(clients.cloudformation),
    registry: new Registry(clients.ecr, repository),
    fleet: (cluster, service) => new Fleet(clients.ecs, cluster, service, repository),
    ...(githubToken
      ? { deployments: new GitHubDeployments(createGitHubClient(githubToken), owner, repo) }
      : {}),
    clock: systemClock,
  };
}

/** Where a deploy operation finds its environments, and as whom it reaches GitHub and AWS. */
export interface DeploySource {
  configDir: string;
  githubToken?: string;
  /** A named AWS profile (a workstation's --profile); else the default credential chain. */
  profile?: string;
}

/**
 * Opens an environment for a deploy: config/ read and checked (expired entries left out with a warning), the
 * credentials checked against its account. What stops it comes back as a refusal, not a throw.
 */
export function environmentOpener(
  source: DeploySource,
  run: RunContext,
  io: Pick<ActionIO, 'warning'>,
): EnvironmentOpener<EnvironmentAdapters> {
  return async (name) => {
    try {
      const { config, environment } = await loadEnvironment(source.configDir, name, io);
      const adapters = await environmentAdapters(environment, run, source.githubToken, source.profile);
      return {
        state: 'opened',
        config,
        environment,
        githubEnvironment: githubEnvironment(environment),
        adapters,
      };
    } catch (error) {
      if (error instanceof ActionFailure) return { state: 'refused', reason: error.message };
      throw error;
    }
  };
}

/** The rollback's ports: the environment, and the access a commit's configuration grants, read from git. */
export function rollbackPorts(
  source: DeploySource,
  run: RunContext,
  io: Pick<ActionIO, 'warning'>,
): RollbackPorts {
  return { open: environmentOpener(source, run, io), accessAt: gitAccessAt(source.configDir) };
}
