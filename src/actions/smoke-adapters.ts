// The ports of the smoke action: curl-like probes of the endpoint, signed with the credentials of the standard chain
// (the workflow's OIDC session in the environment, or a runner's role), and with the same credentials the target
// health of the environment's Ingress stack.
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { createAwsClients } from '../aws/clients.ts';
import { Stacks } from '../aws/cloudformation.ts';
import { TargetHealth } from '../aws/target-health.ts';
import type { Environment } from '../config/model.ts';
import { stackNames } from '../contract/names.ts';
import type { SmokePorts } from '../operations/smoke.ts';
import { runSmokeChecks } from '../smoke/checks.ts';
import { formatSmokeTable } from '../smoke/report.ts';
import type { SmokeEndpoint } from '../smoke-plan/checks.ts';
import type { TargetGroupHealth } from '../smoke-plan/target-gate.ts';
import type { ActionIO } from './io.ts';

/** Where and how the probes connect. */
interface ProbeSettings {
  endpoint: SmokeEndpoint;
  caFile?: string;
  sourceAddress?: string;
}

export async function smokePorts(settings: ProbeSettings, io: ActionIO): Promise<SmokePorts> {
  const credentials = await credentialsFromChain(io);
  return {
    runChecks: async (checks, options) => {
      const results = await runSmokeChecks(checks, settings.endpoint, {
        ...options,
        credentials,
        ...(settings.caFile ? { caFile: settings.caFile } : {}),
        ...(settings.sourceAddress ? { sourceAddress: settings.sourceAddress } : {}),
      });
      io.info(formatSmokeTable(results));
      return results;
    },
    ...(credentials ? { readTargetHealth: (env: Environment) => stackTargetHealth(env, credentials) } : {}),
    log: io,
  };
}

async function credentialsFromChain(io: ActionIO): Promise<AwsCredentialIdentity | undefined> {
  try {
    return await fromNodeProviderChain()();
  } catch (error) {
    io.info(`No AWS credentials found (${error instanceof Error ? error.message : String(error)}).`);
    return undefined;
  }
}

/** Target health of every target group of the environment's Ingress stack. */
async function stackTargetHealth(
  environment: Environment,
  credentials: AwsCredentialIdentity,
): Promise<TargetGroupHealth[]> {
  const clients = createAwsClients({ region: environment.region, credentials });
  const arns = await new Stacks(clients.cloudformation).resourcesOfType(
    stackNames(environment).ingress,
    'AWS::ElasticLoadBalancingV2::TargetGroup',
  );
  const health = new TargetHealth(clients.elbv2);
  return Promise.all(arns.map((arn) => health.describe(arn)));
}
