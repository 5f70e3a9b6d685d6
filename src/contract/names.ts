// Names derived from an environment that the CDK app, the actions, the workflows and the CLI must agree on. They are
// fixed at synth time, so IAM policies can be scoped to them without a cross-stack reference.
import type { Environment } from '../config/model.ts';

/** The default CDK bootstrap qualifier; `cdk bootstrap` creates roles named cdk-<qualifier>-<purpose>-<account>-<region>. */
export const CDK_QUALIFIER = 'hnb659fds';

export function fleetNames(env: Environment) {
  return {
    cluster: `lattice-ingress-${env.name}`,
    service: 'proxy',
    logGroup: `/lattice-ingress/${env.name}/proxy`,
  } as const;
}

/** The role signed smoke checks assume; workflows build its ARN from the account, so the name must not change. */
export function smokeRoleName(env: Pick<Environment, 'name'>): string {
  return `lattice-ingress-${env.name}-smoke`;
}

/** The AWS partition a Region belongs to, so ARNs are plain strings at synth time. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** CloudFormation stack names per environment. */
export function stackNames(env: Environment) {
  return {
    /** GitHub OIDC provider and roles; deployed once from a workstation (bootstrap). */
    access: `LatticeIngress-${env.name}-Access`,
    /** ECR repository; deployed before the first image is built. */
    registry: `LatticeIngress-${env.name}-Registry`,
    /** VPC, load balancers, ECS fleet, Lattice association and DNS; its ImageTag parameter selects the image. */
    ingress: `LatticeIngress-${env.name}-Ingress`,
    /** Optional example Lattice service network and service for a sandbox account. */
    example: `LatticeIngress-${env.name}-ExampleProvider`,
  } as const;
}

/** ECR repository holding the environment's proxy images; the registry stack and the actions agree on it. */
export function repositoryName(env: Environment): string {
  return `lattice-ingress-${env.name}`;
}

/**
 * Repository variable holding the read-only role pull requests assume for `cdk diff` in this environment. GitHub
 * variable names are upper case letters, digits and underscores: staging-eu -> PREVIEW_ROLE_ARN_STAGING_EU.
 */
export function previewRoleVariable(environmentName: string): string {
  return `PREVIEW_ROLE_ARN_${environmentName.toUpperCase().replaceAll('-', '_')}`;
}

/** The issuer of GitHub Actions' OIDC tokens. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** The deterministic ARN of an account's GitHub OIDC provider (IAM allows one per URL). */
export function githubProviderArn(account: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`;
}
