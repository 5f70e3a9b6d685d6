import type { ResourceStatus, StackEvent } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { EnvironmentSchema } from '../config/model.ts';
import { actionOutputs, diffHasChanges, selectedStacks, serviceRollout } from './deploy-infra.ts';

const env = EnvironmentSchema.parse({
  name: 'staging',
  account: '111122223333',
  region: 'eu-west-1',
  mode: 'both',
  vpcCidr: '10.42.0.0/20',
  github: { repository: 'example-org/lattice-ingress' },
});

describe('deploy-infra stack selection, outputs and diff reading', () => {
  it('selects stacks in dependency order, with the example provider only when enabled', () => {
    expect(selectedStacks(env, 'registry')).toEqual(['LatticeIngress-staging-Registry']);
    expect(selectedStacks(env, 'all')).toEqual([
      'LatticeIngress-staging-Registry',
      'LatticeIngress-staging-Ingress',
    ]);
    expect(selectedStacks({ ...env, exampleProvider: true }, 'ingress')).toEqual([
      'LatticeIngress-staging-ExampleProvider',
      'LatticeIngress-staging-Ingress',
    ]);
  });

  it('maps stack outputs to action outputs, empty when absent', () => {
    expect(
      actionOutputs(env, {
        'LatticeIngress-staging-Ingress': {
          PublicLoadBalancerDnsName: 'pub',
          ClusterName: 'c',
          RepositoryUri: 'from-ingress',
        },
      }),
    ).toEqual({
      'public-endpoint': 'pub',
      'private-endpoint': '',
      cluster: 'c',
      service: '',
      'repository-uri': 'from-ingress',
    });
  });

  it('reads whether cdk diff found differences', () => {
    expect(
      diffHasChanges('Stack X\nThere were no differences\n\n✨  Number of stacks with differences: 0'),
    ).toBe(false);
    expect(diffHasChanges('✨  Number of stacks with differences: 2')).toBe(true);
    expect(diffHasChanges('Resources\n[~] AWS::ECS::Service Service')).toBe(true);
    expect(diffHasChanges('There were no differences')).toBe(false);
  });
});

describe('what a cdk deploy did to the proxy service, from the Ingress stack events', () => {
  const event = (
    ResourceType: string,
    ResourceStatus: ResourceStatus,
    ResourceStatusReason?: string,
  ): StackEvent => ({
    StackId: 'stack',
    StackName: 'LatticeIngress-staging-Ingress',
    EventId: ResourceStatus,
    Timestamp: new Date(),
    LogicalResourceId: 'ProxyService',
    ResourceType,
    ResourceStatus,
    ...(ResourceStatusReason ? { ResourceStatusReason } : {}),
  });
  // The reason CloudFormation records on the ECS service when the deployment circuit breaker fails its update.
  const TRIGGERED =
    'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'."';

  it('rolled-back when the service update failed on the circuit breaker (the fleet was rolled out, then back)', () => {
    expect(
      serviceRollout([
        event('AWS::ECS::Service', 'UPDATE_IN_PROGRESS'),
        event('AWS::ECS::Service', 'UPDATE_FAILED', TRIGGERED),
        event('AWS::ECS::Service', 'UPDATE_COMPLETE'), // the rollback's own update
      ]),
    ).toBe('rolled-back');
  });

  it('completed when the service was updated; none when it was not touched or failed for another reason', () => {
    expect(serviceRollout([event('AWS::ECS::Service', 'UPDATE_COMPLETE')])).toBe('completed');
    expect(serviceRollout([event('AWS::ECS::TaskDefinition', 'CREATE_COMPLETE')])).toBe('none');
    expect(serviceRollout([event('AWS::ECS::Service', 'UPDATE_FAILED', 'subnet not found')])).toBe('none');
  });
});
