// AWS SDK clients for one environment's Region. The SDK honours AWS_ENDPOINT_URL (tests point it at a local
// stub) and the standard credential chain (the workflow's OIDC role via configure-aws-credentials).
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { STSClient } from '@aws-sdk/client-sts';

export interface AwsClients {
  ecs: ECSClient;
  ecr: ECRClient;
  cloudformation: CloudFormationClient;
  sts: STSClient;
}

/**
 * Adaptive retry: throttling (ThrottlingException, Rate exceeded) and transient errors are retried with backoff
 * and the client slows its own request rate, which matters while a rollout polls several APIs for many minutes.
 */
export const RETRY_CONFIG = { maxAttempts: 8, retryMode: 'adaptive' } as const;

export function createAwsClients(region: string): AwsClients {
  const config = { region, ...RETRY_CONFIG, customUserAgent: 'lattice-ingress' };
  return {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    cloudformation: new CloudFormationClient(config),
    sts: new STSClient(config),
  };
}
