// Wires the AWS and GitHub adapters for an environment: the only place the deploy actions construct clients.
import { type AwsClients, createAwsClients, createGitHubClient, credentialsProblem } from '../aws/clients.ts';
import { Stacks } from '../aws/cloudformation.ts';
import { Registry } from '../aws/ecr.ts';
import { Fleet } from '../aws/ecs.ts';

import { assertAccount } from '../aws/sts.ts';
import type { Environment } from '../config/model.ts';
import { repositoryName } from '../contract/names.ts';
import { GitHubDeployments } from '../github/deployments.ts';
import { systemClock } from '../operations/ports.ts';
import type { RolloutAdapters } from '../operations/roll-out.ts';
import type { RunContext } from './context.ts';

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
  return {
    clients,
    stacks: new Stacks(clients.cloudformation),
    registry: new Registry(clients.ecr, repository),
    fleet: (cluster, service) => new Fleet(clients.ecs, cluster, service, repository),
    ...(githubToken
      ? { deployments: new GitHubDeployments(createGitHubClient(githubToken), run.owner, run.repo) }
      : {}),
    clock: systemClock,
  };
}
