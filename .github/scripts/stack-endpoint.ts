// Prints `endpoint=<NLB DNS name>` for $GITHUB_OUTPUT: the internal or internet-facing load balancer of an
// environment, read from its Ingress stack outputs. The verify job needs it because matrix jobs cannot pass
// per-environment outputs to later jobs.
// Usage (deploy.yml): stack-endpoint.ts --env <name> --which public|private

import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand, type Output } from '@aws-sdk/client-cloudformation';
import { loadConfig } from '../../src/config/load.ts';
import { stackNames } from '../../src/contract/names.ts';
import { INGRESS_OUTPUTS } from '../../src/contract/outputs.ts';
import { isEntryPoint } from './entry.ts';

export type Which = 'public' | 'private';

export function endpointFrom(outputs: readonly Output[], which: Which, stackName: string): string {
  const key = which === 'public' ? INGRESS_OUTPUTS.publicEndpoint : INGRESS_OUTPUTS.privateEndpoint;
  const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value)
    throw new Error(`${stackName} has no ${key} output: is the environment's mode ${which} or both?`);
  return value;
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { env: { type: 'string' }, which: { type: 'string' } } });
  if (!values.env || (values.which !== 'public' && values.which !== 'private')) {
    throw new Error('usage: stack-endpoint.ts --env <name> --which public|private');
  }
  const env = (await loadConfig('config')).config?.deployment.environments.find((e) => e.name === values.env);
  if (!env) throw new Error(`no valid environment ${values.env} in config/deployment.yaml`);
  const stackName = stackNames(env).ingress;
  const { Stacks } = await new CloudFormationClient({ region: env.region }).send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  console.log(`endpoint=${endpointFrom(Stacks?.[0]?.Outputs ?? [], values.which, stackName)}`);
}
