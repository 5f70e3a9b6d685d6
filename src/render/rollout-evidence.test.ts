import type { StackEvent } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';
import { Report } from './report.ts';
import {
  describeStoppedTask,
  type FailureEvidence,
  failureLogLines,
  failureReport,
} from './rollout-evidence.ts';

const failureMarkdown = (evidence: FailureEvidence) => failureReport(evidence, new Report('markdown')).text();

const stopped = {
  taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/abc123',
  stoppedReason: 'Essential container in task exited',
  stopCode: 'EssentialContainerExited' as const,
  stoppedAt: new Date('2026-11-01T10:00:00Z'),
  containers: [
    { name: 'proxy', exitCode: 1, reason: 'nginx: [emerg] host not found' },
    { name: 'log-router' },
  ],
};

function stackEvent(overrides: Partial<StackEvent>): StackEvent {
  return {
    StackId: 's',
    EventId: 'e',
    StackName: 'S',
    Timestamp: new Date(0),
    LogicalResourceId: 'Service',
    ...overrides,
  };
}

describe('failure report', () => {
  it('describes a stopped task with its reason, stop code and every container exit', () => {
    expect(describeStoppedTask(stopped)).toBe(
      'abc123: Essential container in task exited [EssentialContainerExited] — proxy: exit 1 (nginx: [emerg] host not found); log-router: no exit code',
    );
  });

  it('lists the failed stack events with their reason, and escapes table cells', () => {
    const evidence = {
      reason: 'ECS rolled the deployment back',
      stoppedTasks: [stopped],
      serviceEvents: [
        { id: '1', createdAt: new Date('2026-11-01T10:00:01Z'), message: 'deployment failed | tasks' },
      ],
      stackEvents: [stackEvent({ ResourceStatus: 'UPDATE_FAILED', ResourceStatusReason: 'circuit breaker' })],
    };
    const markdown = failureMarkdown(evidence);
    expect(markdown).toContain('### ❌ ECS rolled the deployment back');
    expect(markdown).toContain(
      '| abc123 | 2026-11-01T10:00:00Z | Essential container in task exited (EssentialContainerExited) |',
    );
    expect(markdown).toContain('deployment failed \\| tasks');
    expect(markdown).toContain('UPDATE_FAILED | circuit breaker');
    expect(failureLogLines(evidence)).toEqual([
      'Rollout failed: ECS rolled the deployment back',
      'Stopped tasks:',
      `  ${describeStoppedTask(stopped)}`,
      'CloudFormation failures:',
      '  Service UPDATE_FAILED: circuit breaker',
      'Service events:',
      '  2026-11-01T10:00:01Z deployment failed | tasks',
    ]);
  });

  it('says so when there is no evidence at all', () => {
    expect(
      failureMarkdown({ reason: 'timed out', stoppedTasks: [], serviceEvents: [], stackEvents: [] }),
    ).toContain('No service events, stopped tasks or failed stack resources were recorded');
  });
});
