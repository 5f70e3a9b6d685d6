// Physical names fixed at synth time, so IAM policies can be scoped to them without a cross-stack reference.
import type { Environment } from '../src/config/model.ts';

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
