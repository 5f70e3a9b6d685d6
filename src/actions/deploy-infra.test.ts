import { describe, expect, it } from 'vitest';
import { EnvironmentSchema } from '../config/model.ts';
import { actionOutputs, diffHasChanges, selectedStacks } from './deploy-infra.ts';

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
