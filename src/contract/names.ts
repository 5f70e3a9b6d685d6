// Physical names fixed at synth time, so IAM policies can be scoped to them without a cross-stack reference.
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

/** The AWS partition a Region belongs to, so ARNs are plain strings at synth time. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
