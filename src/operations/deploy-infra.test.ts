import type { ResourceStatus, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { EnvironmentSchema } from '../config/model.ts';
import {
  actionOutputs,
  type DeployInfraPorts,
  type DeployInfraRequest,
  deployInfra,
  diffHasChanges,
  selectedStacks,
  serviceRollout,
} from './deploy-infra.ts';

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

describe('cdk deploy past its deadline', () => {
  const INGRESS = 'LatticeIngress-staging-Ingress';
  const request: DeployInfraRequest = {
    environment: env,
    stacks: 'ingress',
    mode: 'deploy',
    imageTag: `cfg-${'a'.repeat(64)}`,
    timeoutMs: 30 * 60_000,
    rollbackWaitMs: 15 * 60_000,
    pollIntervalMs: 10_000,
    outputsFile: '/tmp/outputs.json',
  };

  /** CloudFormation as a list of statuses the Ingress stack goes through once its update is cancelled. */
  function stand(initial: string, afterCancel: string[]) {
    let now = Date.parse('2026-12-07T10:00:00Z');
    let status = initial;
    const cdkCalls: { args: readonly string[]; timeoutMs?: number }[] = [];
    const cancels: string[] = [];
    const ports: DeployInfraPorts = {
      stacks: {
        describe: async (name) => {
          const stack: Stack = {
            StackName: name,
            StackStatus: status as Stack['StackStatus'],
            CreationTime: new Date(0),
            Parameters: [{ ParameterKey: 'ImageTag', ParameterValue: 'cfg-old' }],
          };
          if (cancels.length > 0) status = afterCancel.shift() ?? status;
          return stack;
        },
        cancelUpdate: async (name) => {
          cancels.push(name);
          status = afterCancel.shift() ?? status;
        },
        eventsSince: async () => [],
      },
      cdk: async (args, options) => {
        cdkCalls.push({ args, ...options });
        return { exitCode: 143, stdout: 'deploying...', stderr: '', timedOut: true };
      },
      readOutputs: async () => ({}),
      clock: {
        now: () => new Date(now),
        sleep: async (ms) => {
          now += ms;
        },
      },
      log: () => {},
    };
    return { ports, cdkCalls, cancels, elapsed: () => now - Date.parse('2026-12-07T10:00:00Z') };
  }

  it('gives cdk the deadline, cancels the update and waits for the rollback', async () => {
    const s = stand('UPDATE_IN_PROGRESS', [
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_IN_PROGRESS',
      'UPDATE_ROLLBACK_COMPLETE',
    ]);
    const outcome = await deployInfra(request, s.ports);
    expect(s.cdkCalls[0]?.timeoutMs).toBe(30 * 60_000);
    expect(s.cancels).toEqual([INGRESS]);
    expect(outcome).toMatchObject({
      state: 'failed',
      kind: 'timeout',
      cancellation: { stack: INGRESS, cancelled: true, status: 'UPDATE_ROLLBACK_COMPLETE', settled: true },
    });
  });

  it('stops waiting for a rollback that does not settle, and says so', async () => {
    const s = stand('UPDATE_IN_PROGRESS', ['UPDATE_ROLLBACK_IN_PROGRESS']);
    const outcome = await deployInfra(request, s.ports);
    expect(s.elapsed()).toBe(15 * 60_000);
    expect(outcome).toMatchObject({
      state: 'failed',
      kind: 'timeout',
      cancellation: { cancelled: true, status: 'UPDATE_ROLLBACK_IN_PROGRESS', settled: false },
    });
    if (outcome.state === 'failed')
      expect(outcome.reason).toContain('its rollback was still UPDATE_ROLLBACK_IN_PROGRESS');
  });

  it('does not cancel a creation (CloudFormation cannot), and says what state it left', async () => {
    const s = stand('CREATE_IN_PROGRESS', []);
    const outcome = await deployInfra({ ...request, stacks: 'all' }, s.ports);
    expect(s.cancels).toEqual([]);
    expect(outcome).toMatchObject({
      state: 'failed',
      kind: 'timeout',
      reason: `cdk deploy did not finish within 30 minute(s); ${INGRESS} was CREATE_IN_PROGRESS, which cannot be cancelled`,
    });
  });

  it('says there was no update to cancel when cdk hung before reaching the Ingress stack', async () => {
    const s = stand('UPDATE_COMPLETE', []);
    const outcome = await deployInfra({ ...request, stacks: 'all' }, s.ports);
    expect(s.cancels).toEqual([]);
    expect(outcome).toMatchObject({
      state: 'failed',
      kind: 'timeout',
      reason: `cdk deploy did not finish within 30 minute(s); ${INGRESS} was UPDATE_COMPLETE: no update of it to cancel`,
    });
  });
});
