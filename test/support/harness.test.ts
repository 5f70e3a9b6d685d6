// The runner harness and AWS stub, checked with a small fixture action so the action tests can rely on them.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireValidConfig } from '../../src/config/valid-config.ts';
import { type AwsStub, AwsStubError, startAwsStub } from './aws-stub.ts';
import { parseFileCommands, REPO_ROOT, runAction } from './run-action.ts';
import { OPERATOR_CONFIG_DIR } from './sample-config.ts';

const actionDir = join(REPO_ROOT, 'test/support/fixtures/probe-action');

describe('runAction with the AWS stub', () => {
  let aws: AwsStub;
  beforeAll(async () => {
    aws = await startAwsStub({
      'ecs:DescribeServices': ({ call }) => {
        if (call === 1) throw new AwsStubError('ThrottlingException', 'Rate exceeded');
        return {
          services: [{ serviceName: 'proxy', status: 'ACTIVE', createdAt: new Date('2026-01-02T03:04:05Z') }],
        };
      },
      'cloudformation:DescribeStacks': {
        Stacks: [
          {
            StackName: 'probe-stack',
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date('2026-01-01T00:00:00Z'),
            Outputs: [{ OutputKey: 'ClusterName', OutputValue: 'c1' }],
          },
        ],
      },
      'cloudformation:UpdateStack': new AwsStubError('ValidationError', 'No updates are to be performed.'),
    });
  });
  afterAll(() => aws.close());

  it('passes inputs with defaults, answers both protocols, retries throttling, and collects the results', async () => {
    const run = await runAction('probe', { actionDir, awsEndpoint: aws.url, inputs: { cluster: 'c1' } });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toMatchObject({
      status: 'ACTIVE',
      created: '2026-01-02T03:04:05.000Z',
      'stack-status': 'UPDATE_COMPLETE',
      outputs: JSON.stringify([{ OutputKey: 'ClusterName', OutputValue: 'c1' }]),
      token: 'ghs_exampletoken',
      multi: 'line one\nline two',
      'update-error': 'ValidationError: No updates are to be performed.',
    });
    expect(run.summary).toContain('<h1>probe</h1>');
    expect(run.annotations).toEqual([
      {
        command: 'error',
        properties: { title: 'x,y', file: 'config/a.yaml', line: '3', col: '5' },
        message: 'bad value',
      },
    ]);
    expect(aws.calls('ecs:DescribeServices')).toHaveLength(2);
    expect(aws.calls('ecs:DescribeServices')[1]?.params).toEqual({ cluster: 'c1', services: ['proxy'] });
    expect(aws.calls('cloudformation:DescribeStacks')[0]?.params).toEqual({ StackName: 'probe-stack' });
    expect(aws.calls('cloudformation:UpdateStack')[0]?.params).toEqual({
      StackName: 'probe-stack',
      UsePreviousTemplate: 'true',
      Parameters: [
        { ParameterKey: 'ImageTag', ParameterValue: 'git-abc' },
        { ParameterKey: 'Other', UsePreviousValue: 'true' },
      ],
    });
    expect(aws.unhandled).toEqual([]);
  });

  it('fails the action when a required input is missing, and refuses undeclared inputs', async () => {
    const run = await runAction('probe', { actionDir, awsEndpoint: aws.url });
    expect(run.exitCode).not.toBe(0);
    await expect(runAction('probe', { actionDir, inputs: { nope: 'x' } })).rejects.toThrow(
      /declares no input "nope"/,
    );
  });
});

describe('runAction in the repository root', () => {
  it('gives an action the operator fixture, not config/, when the test names no config-dir', async () => {
    const run = await runAction('environments');
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    const names = JSON.parse(run.outputs.all ?? '[]').map((entry: { name: string }) => entry.name);
    const { config } = await requireValidConfig(OPERATOR_CONFIG_DIR);
    expect(names).toEqual(config.deployment.environments.map((env) => env.name));
  });
});

describe('parseFileCommands', () => {
  it('reads name=value lines and heredocs', () => {
    expect(parseFileCommands('a=1\nb<<EOF_X\nx\ny\nEOF_X\nc=\n')).toEqual({ a: '1', b: 'x\ny', c: '' });
  });
});
