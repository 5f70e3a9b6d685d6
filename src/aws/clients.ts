// Every AWS SDK and GitHub client the project uses is constructed here, and only here (test/architecture checks
// it): one retry policy, one user agent, the Region and the credentials in one place. The SDK honours
// AWS_ENDPOINT_URL (tests point it at a local stub) and the standard credential chain (the workflow's OIDC role via
// configure-aws-credentials, or a named profile on a workstation).
import { getOctokit } from '@actions/github';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { STSClient } from '@aws-sdk/client-sts';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentity } from '@smithy/types';
import { errorName } from '../rollout/aws-answers.ts';

export interface AwsClients {
  ecs: ECSClient;
  ecr: ECRClient;
  cloudformation: CloudFormationClient;
  sts: STSClient;
  ec2: EC2Client;
  elbv2: ElasticLoadBalancingV2Client;
}

export interface AwsClientOptions {
  region: string;
  /** A named profile of ~/.aws/config (a workstation's --profile); else the default chain. */
  profile?: string;
  /** Credentials resolved beforehand (the smoke action signs with the same identity it reads with). */
  credentials?: AwsCredentialIdentity;
}

/**
 * Adaptive retry: throttling (ThrottlingException, Rate exceeded) and transient errors are retried with backoff
 * and the client slows its own request rate, which matters while a rollout polls several APIs for many minutes.
 */
export const RETRY_CONFIG = { maxAttempts: 8, retryMode: 'adaptive' } as const;

const USER_AGENT = 'lattice-ingress';

export function createAwsClients(options: AwsClientOptions | string): AwsClients {
  const { region, profile, credentials } = typeof options === 'string' ? { region: options } : options;
  const config = {
    region,
    ...RETRY_CONFIG,
    customUserAgent: USER_AGENT,
    ...(credentials ? { credentials } : profile ? { credentials: fromNodeProviderChain({ profile }) } : {}),
  };
  return {
    ecs: new ECSClient(config),
    ecr: new ECRClient(config),
    cloudformation: new CloudFormationClient(config),
    sts: new STSClient(config),
    ec2: new EC2Client(config),
    elbv2: new ElasticLoadBalancingV2Client(config),
  };
}

export type GitHubClient = ReturnType<typeof getOctokit>;

/** The GitHub REST client for a token; `baseUrl` points tests at a local stub. */
export function createGitHubClient(token: string, baseUrl?: string): GitHubClient {
  return getOctokit(token, { userAgent: USER_AGENT, ...(baseUrl ? { baseUrl } : {}) });
}

const NO_CREDENTIALS_FIX =
  'in a workflow, configure them before this step (aws-actions/configure-aws-credentials); on a workstation, set AWS_PROFILE or --profile, run aws sso login, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

const oneLine = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).split('\n')[0]?.trim() ?? '';

/** An AWS call's failure in one line, without the SDK's stack; a missing credential says how to provide one. */
export function awsProblem(error: unknown): string {
  const name = errorName(error);
  if (name === 'CredentialsProviderError')
    return `no AWS credentials (${oneLine(error)}): ${NO_CREDENTIALS_FIX}`;
  return name && name !== 'Error' ? `${name}: ${oneLine(error)}` : oneLine(error);
}

/** What went wrong with the credentials, and how to fix it, without the SDK's stack. */
export function credentialsProblem(error: unknown): string {
  const name = errorName(error);
  if (name === 'CredentialsProviderError' || !name || name === 'Error') return awsProblem(error);
  return `checking the AWS credentials failed: ${awsProblem(error)}`;
}
