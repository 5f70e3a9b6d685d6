import {
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { AwsStubError } from '../../test/support/aws-stub.ts';
import { isStackBusy, stackOutputs } from '../rollout/aws-answers.ts';
import { Stacks } from './cloudformation.ts';

const cfn = mockClient(CloudFormationClient);
const stacks = () => new Stacks(new CloudFormationClient({ region: 'eu-west-1' }));
afterEach(() => cfn.reset());

const stack = {
  StackName: 'S',
  StackStatus: 'UPDATE_COMPLETE' as const,
  CreationTime: new Date(0),
  Capabilities: ['CAPABILITY_NAMED_IAM' as const],
  RoleARN: 'arn:aws:iam::1:role/cfn-exec',
  Parameters: [
    { ParameterKey: 'ImageTag', ParameterValue: 'git-old' },
    { ParameterKey: 'Other', ParameterValue: 'x' },
  ],
  Outputs: [{ OutputKey: 'ClusterName', OutputValue: 'c' }],
};

describe('Stacks', () => {
  it('describe: undefined for a stack that does not exist, other errors rethrown', async () => {
    cfn
      .on(DescribeStacksCommand)
      .rejectsOnce(new AwsStubError('ValidationError', 'Stack with id S does not exist'));
    expect(await stacks().describe('S')).toBeUndefined();
    cfn.on(DescribeStacksCommand).rejects(new AwsStubError('AccessDenied', 'no'));
    await expect(stacks().describe('S')).rejects.toThrow('no');
  });

  it('updateParameter: previous template, the one new value, every other parameter kept, same capabilities and role', async () => {
    cfn.on(UpdateStackCommand).resolves({ StackId: 'id' });
    expect(await stacks().updateParameter(stack, 'ImageTag', 'git-new')).toBe(true);
    expect(cfn.commandCalls(UpdateStackCommand)[0]?.args[0].input).toEqual({
      StackName: 'S',
      UsePreviousTemplate: true,
      Parameters: [
        { ParameterKey: 'ImageTag', ParameterValue: 'git-new' },
        { ParameterKey: 'Other', UsePreviousValue: true },
      ],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      RoleARN: 'arn:aws:iam::1:role/cfn-exec',
    });
  });

  it('updateParameter: "No updates are to be performed" is not an error; a stack without the parameter is', async () => {
    cfn
      .on(UpdateStackCommand)
      .rejects(new AwsStubError('ValidationError', 'No updates are to be performed.'));
    expect(await stacks().updateParameter(stack, 'ImageTag', 'git-old')).toBe(false);
    await expect(stacks().updateParameter({ ...stack, Parameters: [] }, 'ImageTag', 'x')).rejects.toThrow(
      'stack S has no ImageTag parameter',
    );
  });

  it('eventsSince: pages back until events are older than the start, oldest first', async () => {
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    cfn
      .on(DescribeStackEventsCommand)
      .resolvesOnce({
        StackEvents: [
          { EventId: '3', Timestamp: at(30) } as never,
          { EventId: '2', Timestamp: at(20) } as never,
        ],
        NextToken: 'n',
      })
      .resolvesOnce({
        StackEvents: [
          { EventId: '1', Timestamp: at(10) } as never,
          { EventId: '0', Timestamp: at(0) } as never,
        ],
        NextToken: 'm',
      });
    const events = await stacks().eventsSince('S', at(10));
    expect(events.map((e) => e.EventId)).toEqual(['1', '2', '3']);
    expect(cfn.commandCalls(DescribeStackEventsCommand)).toHaveLength(2);
  });

  it('reads outputs and tells busy statuses', () => {
    expect(stackOutputs(stack)).toEqual({ ClusterName: 'c' });
    expect(isStackBusy('UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS')).toBe(true);
    expect(isStackBusy('UPDATE_ROLLBACK_FAILED')).toBe(false);
  });
});
