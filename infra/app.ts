// Builds the CDK app from the configuration: four stacks per environment, cdk-nag on all of them.
import { App, Tags } from 'aws-cdk-lib';
import type { Config, Environment } from '../src/config/model.ts';
import { githubProviderArn, stackNames } from '../src/contract/names.ts';
import { addNagChecks } from './nag.ts';
import { AccessStack } from './stacks/access-stack.ts';
import { ExampleProviderStack } from './stacks/example-provider-stack.ts';
import { IngressStack } from './stacks/ingress-stack.ts';
import { RegistryStack } from './stacks/registry-stack.ts';

export interface EnvironmentStacks {
  access: AccessStack;
  registry: RegistryStack;
  ingress: IngressStack;
  example?: ExampleProviderStack;
}

export interface BuiltApp {
  app: App;
  stacks: Map<string, EnvironmentStacks>;
}

/** Every environment's stacks; with `nag` the AwsSolutions checks run when the app synthesizes. */
export function buildApp(
  config: Config,
  app = new App(),
  options: { nag?: boolean } = { nag: true },
): BuiltApp {
  const stacks = new Map<string, EnvironmentStacks>();
  const accountsWithProvider = new Set<string>();
  for (const env of config.deployment.environments) {
    stacks.set(env.name, environmentStacks(app, config, env, accountsWithProvider));
  }
  if (options.nag) addNagChecks(app);
  return { app, stacks };
}

function environmentStacks(
  app: App,
  config: Config,
  env: Environment,
  accountsWithProvider: Set<string>,
): EnvironmentStacks {
  const names = stackNames(env);
  const awsEnv = { account: env.account, region: env.region };
  // The first environment of an account creates the OIDC provider; later ones in the same account reuse it.
  const existingProviderArn =
    env.github.oidcProviderArn ??
    (accountsWithProvider.has(env.account) ? githubProviderArn(env.account, env.region) : undefined);
  accountsWithProvider.add(env.account);

  const access = new AccessStack(app, names.access, {
    env: awsEnv,
    environment: env,
    existingProviderArn,
    description: `lattice-ingress ${env.name}: GitHub OIDC deploy and preview roles (bootstrap)`,
  });
  const registry = new RegistryStack(app, names.registry, {
    env: awsEnv,
    environment: env,
    description: `lattice-ingress ${env.name}: proxy image repository`,
  });
  const example = env.exampleProvider
    ? new ExampleProviderStack(app, names.example, {
        env: awsEnv,
        environment: env,
        description: `lattice-ingress ${env.name}: example Lattice service for end-to-end trials`,
      })
    : undefined;
  const ingress = new IngressStack(app, names.ingress, {
    env: awsEnv,
    environment: env,
    allowlist: config.allowlist,
    services: config.services.services,
    scaling: config.scaling,
    fallbackServiceNetworkId: example?.provider.serviceNetworkId,
    description: `lattice-ingress ${env.name}: VPC, load balancers, proxy fleet, Lattice association, DNS`,
  });
  // The repository must exist before the service pulls from it (they are coupled by name only).
  ingress.addStackDependency(registry, 'the service pulls its image from the repository');
  for (const stack of [access, registry, ingress, example]) {
    if (stack) {
      Tags.of(stack).add('lattice-ingress:environment', env.name);
    }
  }
  return { access, registry, ingress, example };
}
