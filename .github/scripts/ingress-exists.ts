// Prints `ingress-exists=true|false` for $GITHUB_OUTPUT: whether the environment's Ingress stack exists. When it
// does, the deploy job updates the registry and ingress stacks in one `cdk deploy` (one synth) before the image is
// built; only the first deployment needs them apart, because the Ingress stack must be created with an image that
// is already in the registry.
// Usage (deploy-environment.yml, after the AWS credentials): ingress-exists.ts --env <name>
import { parseArgs } from 'node:util';
import { createAwsClients } from '../../src/aws/clients.ts';
import { Stacks } from '../../src/aws/cloudformation.ts';
import type { Environment } from '../../src/config/model.ts';
import { findEnvironment, requireValidConfig } from '../../src/config/valid-config.ts';
import { stackNames } from '../../src/contract/names.ts';
import { isEntryPoint } from './entry.ts';

export async function ingressExists(stacks: Stacks, environment: Environment): Promise<boolean> {
  return (await stacks.describe(stackNames(environment).ingress)) !== undefined;
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { env: { type: 'string' } } });
  if (!values.env) throw new Error('usage: ingress-exists.ts --env <name>');
  const environment = findEnvironment((await requireValidConfig('config')).config, values.env);
  const stacks = new Stacks(createAwsClients(environment.region).cloudformation);
  console.log(`ingress-exists=${await ingressExists(stacks, environment)}`);
}
