import type { Deployment, Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { assessRollout, progressLine, type RolloutSnapshot, unseenEvents } from './service-state.ts';

const REPO = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/lattice-ingress-staging';
const images = new Map([
  ['td:1', `${REPO}:git-old`],
  ['td:2', `${REPO}:git-new`],
]);
const goal = { imageTag: 'git-new', stackUpdated: true };

function deployment(overrides: Partial<Deployment>): Deployment {
  return {
    id: 'd',
    status: 'PRIMARY',
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    createdAt: new Date(0),
    ...overrides,
  };
}

function snapshot(
  deployments: Deployment[],
  stackStatus = 'UPDATE_IN_PROGRESS',
  service: Partial<Service> = {},
): RolloutSnapshot {
  return {
    stackStatus,
    images,
    service: {
      serviceName: 'proxy',
      status: 'ACTIVE',
      desiredCount: 2,
      runningCount: 2,
      deployments,
      ...service,
    },
  };
}

const oldPrimary = deployment({ id: 'old', taskDefinition: 'td:1', rolloutState: 'COMPLETED' });

describe('assessRollout', () => {
  it('waits while the primary deployment still runs the old image', () => {
    expect(assessRollout(snapshot([oldPrimary]), goal)).toMatchObject({
      state: 'waiting',
      detail: expect.stringContaining('primary runs git-old'),
    });
  });

  it('is in progress while the new primary deployment is IN_PROGRESS, with counts', () => {
    const fresh = deployment({
      id: 'new',
      taskDefinition: 'td:2',
      rolloutState: 'IN_PROGRESS',
      runningCount: 1,
      pendingCount: 1,
    });
    const verdict = assessRollout(snapshot([fresh, { ...oldPrimary, status: 'ACTIVE' }]), goal);
    expect(verdict).toMatchObject({ state: 'in-progress', detail: 'IN_PROGRESS: running 1/2, pending 1' });
  });

  it('is not complete when ECS is "stable" but rolloutState is still IN_PROGRESS', () => {
    // All tasks running and one deployment, the aws-actions notion of stable: not enough while ECS says IN_PROGRESS.
    const fresh = deployment({ id: 'new', taskDefinition: 'td:2', rolloutState: 'IN_PROGRESS' });
    expect(assessRollout(snapshot([fresh], 'UPDATE_COMPLETE'), goal).state).toBe('in-progress');
  });

  it('waits for CloudFormation after ECS completes, then completes', () => {
    const fresh = deployment({ id: 'new', taskDefinition: 'td:2', rolloutState: 'COMPLETED' });
    expect(assessRollout(snapshot([fresh]), goal)).toMatchObject({
      state: 'in-progress',
      detail: 'COMPLETED in ECS; waiting for CloudFormation (UPDATE_IN_PROGRESS)',
    });
    expect(assessRollout(snapshot([fresh], 'UPDATE_COMPLETE'), goal)).toMatchObject({
      state: 'completed',
      deployment: fresh,
    });
  });

  it('fails as soon as the circuit breaker marks the new deployment FAILED, even before the stack reacts', () => {
    const failed = deployment({
      id: 'new',
      status: 'ACTIVE',
      taskDefinition: 'td:2',
      rolloutState: 'FAILED',
      rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.',
    });
    const verdict = assessRollout(snapshot([{ ...oldPrimary, rolloutState: 'IN_PROGRESS' }, failed]), goal);
    expect(verdict).toMatchObject({
      state: 'failed',
      kind: 'circuit-breaker',
      reason: 'ECS rolled the deployment back: ECS deployment circuit breaker: tasks failed to start.',
    });
  });

  it('fails on a stack rollback, naming the ECS reason when there is one', () => {
    const failed = deployment({
      id: 'new',
      status: 'ACTIVE',
      taskDefinition: 'td:2',
      rolloutState: 'FAILED',
      rolloutStateReason: 'tasks failed to start',
    });
    const verdict = assessRollout(
      {
        ...snapshot([oldPrimary, failed], 'UPDATE_ROLLBACK_IN_PROGRESS'),
        stackStatusReason: 'Resource update cancelled',
      },
      goal,
    );
    expect(verdict).toMatchObject({ state: 'failed', kind: 'stack-rollback' });
    expect(verdict.state === 'failed' && verdict.reason).toBe(
      'CloudFormation is rolling the stack back (UPDATE_ROLLBACK_IN_PROGRESS) (Resource update cancelled); ECS: tasks failed to start',
    );
  });

  it('fails on a stale service (INACTIVE or missing) and on a stack stuck in UPDATE_ROLLBACK_FAILED', () => {
    expect(
      assessRollout(snapshot([oldPrimary], 'UPDATE_COMPLETE', { status: 'INACTIVE' }), goal),
    ).toMatchObject({
      state: 'failed',
      kind: 'stale-service',
      reason: expect.stringContaining('ECS service proxy is INACTIVE, not ACTIVE'),
    });
    expect(assessRollout({ stackStatus: 'UPDATE_COMPLETE', images }, goal)).toMatchObject({
      kind: 'stale-service',
      reason: expect.stringContaining('the ECS service is MISSING'),
    });
    expect(assessRollout(snapshot([oldPrimary], 'UPDATE_ROLLBACK_FAILED'), goal)).toMatchObject({
      kind: 'stack-failed',
    });
  });

  it('with no stack update (already on the tag), an earlier completed rollback is settled but drift is a failure', () => {
    const current = deployment({ id: 'new', taskDefinition: 'td:2', rolloutState: 'COMPLETED' });
    const already = { imageTag: 'git-new', stackUpdated: false };
    expect(assessRollout(snapshot([current], 'UPDATE_ROLLBACK_COMPLETE'), already).state).toBe('completed');
    expect(assessRollout(snapshot([current], 'UPDATE_COMPLETE'), already).state).toBe('completed');
    expect(assessRollout(snapshot([oldPrimary], 'UPDATE_COMPLETE'), already)).toMatchObject({
      state: 'failed',
      kind: 'drift',
    });
  });

  it('without rollout state (no circuit breaker), completes on one deployment with every task running', () => {
    const fresh = deployment({ id: 'new', taskDefinition: 'td:2' });
    expect(assessRollout(snapshot([fresh], 'UPDATE_COMPLETE'), goal).state).toBe('completed');
    expect(
      assessRollout(snapshot([fresh, { ...oldPrimary, status: 'ACTIVE' }], 'UPDATE_COMPLETE'), goal).state,
    ).toBe('in-progress');
  });
});

describe('unseenEvents', () => {
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
  // DescribeServices lists events newest first.
  const events = [
    { id: 'c', createdAt: at(30), message: 'third' },
    { id: 'b2', createdAt: at(20), message: 'second b' },
    { id: 'b1', createdAt: at(20), message: 'second a' },
    { id: 'a', createdAt: at(10), message: 'first' },
  ];

  it('returns new events oldest first, keeping the order of events with the same timestamp', () => {
    expect(unseenEvents(events, new Set(), at(0)).map((e) => e.id)).toEqual(['a', 'b1', 'b2', 'c']);
  });

  it('skips events already printed and events from before the rollout', () => {
    expect(unseenEvents(events, new Set(['c']), at(15)).map((e) => e.id)).toEqual(['b1', 'b2']);
  });
});

describe('progressLine', () => {
  it('mentions failed tasks only when there are some', () => {
    expect(progressLine(deployment({ rolloutState: 'IN_PROGRESS', failedTasks: 3, runningCount: 0 }))).toBe(
      'IN_PROGRESS: running 0/2, pending 0, 3 failed',
    );
  });
});
