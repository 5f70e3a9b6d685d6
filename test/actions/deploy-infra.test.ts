// The bundled deploy-infra action, run as the runner runs it in a workspace whose node_modules/.bin/cdk is a fake
// CDK CLI (no AWS here): it records its arguments, writes the outputs file `cdk deploy` writes, and prints what
// `cdk diff` prints. CloudFormation is answered by the AWS stub.
import { existsSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { roleAuthorizer } from '../support/aws-authorization.ts';
import { type AwsStub, AwsStubError, type AwsStubRequest, startAwsStub } from '../support/aws-stub.ts';
import { runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { CIRCUIT_BREAKER_TRIGGERED } from './fleet-simulator.ts';

const ACCOUNT = '111122223333';
const INGRESS = 'LatticeIngress-staging-Ingress';
const REGISTRY = 'LatticeIngress-staging-Registry';
const TAG = `git-${'c'.repeat(40)}`;

const FAKE_CDK = `#!/usr/bin/env node
const { appendFileSync, writeFileSync } = require('node:fs');
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_CDK_LOG, JSON.stringify({ args, pid: process.pid, configDir: process.env.LATTICE_INGRESS_CONFIG_DIR, expiry: process.env.LATTICE_INGRESS_EXPIRY }) + '\\n');
if (args[0] === 'deploy') {
  console.log('LatticeIngress-staging-Ingress: deploying... [1/1]');
  // A deployment whose tasks cannot be placed: cdk waits for the stack update (bounded, so no run leaves it behind).
  if (process.env.FAKE_CDK_HANG) setTimeout(() => process.exit(1), 120_000);
  else {
  if (process.env.FAKE_CDK_FAIL) { console.error('❌  LatticeIngress-staging-Ingress failed: ProxyService UPDATE_FAILED'); process.exit(1); }
  writeFileSync(args[args.indexOf('--outputs-file') + 1], JSON.stringify({
    'LatticeIngress-staging-Registry': { RepositoryUri: '${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/lattice-ingress-staging' },
    'LatticeIngress-staging-Ingress': { PrivateLoadBalancerDnsName: 'internal-li.elb.eu-west-1.amazonaws.com', ClusterName: 'lattice-ingress-staging', ServiceName: 'proxy' },
  }));
  }
}
if (args[0] === 'diff') {
  console.error('Stack LatticeIngress-staging-Ingress');
  console.error('Resources');
  console.error('[~] AWS::ElasticLoadBalancingV2::TargetGroup ProxyTls ProxyTlsTargetGroup');
  console.error(' └─ [~] DeregistrationDelay: 300 -> 30');
  console.error('');
  console.error('✨  Number of stacks with differences: 1');
}
`;

let aws: AwsStub;
let workspace: string;
let log: string;
beforeAll(async () => {
  aws = await startAwsStub({}, { authorize: await roleAuthorizer('deploy', 'staging') });
  workspace = await mkdtemp(join(tmpdir(), 'deploy-infra-'));
  await cp(SAMPLE_CONFIG_DIR, join(workspace, 'config'), { recursive: true });
  await mkdir(join(workspace, 'node_modules', '.bin'), { recursive: true });
  await writeFile(join(workspace, 'node_modules', '.bin', 'cdk'), FAKE_CDK);
  await chmod(join(workspace, 'node_modules', '.bin', 'cdk'), 0o755);
  log = join(workspace, 'cdk.log');
});
afterAll(async () => {
  await aws.close();
  await rm(workspace, { recursive: true, force: true });
});
afterEach(async () => {
  aws.requests.length = 0;
  await rm(log, { force: true });
});

async function cdkCalls(): Promise<{ args: string[]; pid: number; configDir: string; expiry?: string }[]> {
  if (!existsSync(log)) return [];
  return (await readFile(log, 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
}

/** CloudFormation where the Ingress stack exists from the start, or only once `cdk deploy` has run. */
function cloudformation(ingressExists: boolean) {
  const deployed = () => ingressExists || existsSync(log);
  return {
    'sts:GetCallerIdentity': { Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/gha` },
    'cloudformation:DescribeStacks': ({ params }: { params: Record<string, unknown> }) => {
      const name = String(params.StackName);
      if (name === INGRESS && !deployed()) {
        throw new AwsStubError('ValidationError', `Stack with id ${name} does not exist`);
      }
      return {
        Stacks: [
          {
            StackName: name,
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date('2026-01-01T00:00:00Z'),
            LastUpdatedTime: new Date(existsSync(log) ? '2026-11-02T00:00:00Z' : '2026-11-01T00:00:00Z'),
            Parameters: name === INGRESS ? [{ ParameterKey: 'ImageTag', ParameterValue: 'git-old' }] : [],
            Outputs:
              name === INGRESS
                ? [
                    {
                      OutputKey: 'PrivateLoadBalancerDnsName',
                      OutputValue: 'internal-li.elb.eu-west-1.amazonaws.com',
                    },
                  ]
                : [],
          },
        ],
      };
    },
    'cloudformation:DescribeStackEvents': () => ({
      StackEvents: [
        {
          StackName: INGRESS,
          EventId: 'e1',
          LogicalResourceId: 'ProxyService',
          ResourceType: 'AWS::ECS::Service',
          ResourceStatus: 'UPDATE_FAILED',
          ResourceStatusReason: 'Invalid request provided: subnet not found',
          Timestamp: new Date(),
        },
      ],
    }),
  };
}

/** CloudFormation whose Ingress stack events hold one event of the ECS service resource. */
function withServiceEvent(ResourceStatus: string, ResourceStatusReason?: string) {
  const event = { StackName: INGRESS, EventId: 'e-service', LogicalResourceId: 'ProxyService' };
  return {
    ...cloudformation(true),
    'cloudformation:DescribeStackEvents': () => ({
      StackEvents: [
        {
          ...event,
          ResourceType: 'AWS::ECS::Service',
          ResourceStatus,
          ResourceStatusReason,
          Timestamp: new Date(),
        },
      ],
    }),
  };
}

function run(inputs: Record<string, string>, env: Record<string, string> = {}) {
  return runAction('deploy-infra', {
    cwd: workspace,
    awsEndpoint: aws.url,
    env: { FAKE_CDK_LOG: log, ...env },
    runnerTemp: join(workspace, 'runner-temp'),
    inputs: { environment: 'staging', ...inputs },
  });
}

describe('deploy-infra action (bundled)', () => {
  it('creates the Ingress stack with the given ImageTag and outputs the stack outputs', async () => {
    aws.set(cloudformation(false));
    const result = await run({ stacks: 'all', 'image-tag': TAG });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const [call] = await cdkCalls();
    expect(call?.args.slice(0, 3)).toEqual(['deploy', REGISTRY, INGRESS]);
    expect(call?.args).toEqual(
      expect.arrayContaining(['--require-approval', 'never', '--parameters', `${INGRESS}:ImageTag=${TAG}`]),
    );
    expect(call?.configDir).toBe(join(workspace, 'config'));
    // The CDK app checks the config as for a deploy: an expired allowlist entry is left out, not a refusal.
    expect(call?.expiry).toMatch(/^leave-out@\d{4}-\d{2}-\d{2}$/);
    expect(result.outputs).toMatchObject({
      'private-endpoint': 'internal-li.elb.eu-west-1.amazonaws.com',
      'public-endpoint': '',
      cluster: 'lattice-ingress-staging',
      service: 'proxy',
      'repository-uri': `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/lattice-ingress-staging`,
      'has-changes': 'true',
    });
    expect(JSON.parse(result.outputs['outputs-json'] ?? '{}')[INGRESS].ServiceName).toBe('proxy');
    expect(result.summary).toContain(`| ${INGRESS} | UPDATE_COMPLETE | created |`);
  });

  it('keeps the previous ImageTag of an existing Ingress stack when no image tag is given', async () => {
    aws.set(cloudformation(true));
    const result = await run({ stacks: 'ingress' });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const [call] = await cdkCalls();
    expect(call?.args).not.toContain('--parameters');
    expect(call?.args).toEqual(expect.arrayContaining(['--previous-parameters', 'true']));
    expect(result.stdout).toContain(`${INGRESS} exists: keeping ImageTag=git-old`);
  });

  it('gives an existing Ingress stack the new ImageTag in the same cdk deploy, other parameters kept', async () => {
    // One CloudFormation update per deploy: the template change and the image move together, and the update of
    // the ECS service it makes is the rollout (the rollout action then finds the tag in place).
    aws.set(withServiceEvent('UPDATE_COMPLETE'));
    const result = await run({ stacks: 'all', 'image-tag': TAG });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    const calls = await cdkCalls();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args).toEqual(
      expect.arrayContaining(['--previous-parameters', 'true', '--parameters', `${INGRESS}:ImageTag=${TAG}`]),
    );
    expect(result.stdout).toContain(`${INGRESS} exists: ImageTag git-old -> ${TAG} in this update`);
    expect(result.outputs).toMatchObject({ 'service-rollout': 'completed', 'rolled-out': 'true' });
  });

  it('refuses to create the Ingress stack without an image tag, before running cdk', async () => {
    aws.set(cloudformation(false));
    const result = await run({ stacks: 'ingress' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(`::error::${INGRESS} does not exist yet: give image-tag`);
    expect(await cdkCalls()).toEqual([]);
  });

  it('diff mode writes the cdk diff as Markdown and reports changes', async () => {
    aws.set(cloudformation(true));
    const result = await run({ mode: 'diff' });
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    // The preview role may read templates but not create change sets.
    expect((await cdkCalls())[0]?.args).toEqual(expect.arrayContaining(['diff', '--no-change-set']));
    expect(result.outputs['has-changes']).toBe('true');
    expect(result.outputs['diff-file']).toBe(join(workspace, 'runner-temp', 'cdk-diff-staging.md'));
    const markdown = await readFile(result.outputs['diff-file'] ?? '', 'utf8');
    expect(markdown).toContain('### `cdk diff` staging');
    expect(markdown).toContain('└─ [~] DeregistrationDelay: 300 -> 30');
    expect(result.summary).toContain(markdown);
  });

  it('fails with the failed resources from the stack events when cdk deploy fails', async () => {
    aws.set(cloudformation(true));
    const result = await run({ stacks: 'ingress' }, { FAKE_CDK_FAIL: '1' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::cdk deploy failed (exit 1): ProxyService UPDATE_FAILED: Invalid request provided: subnet not found',
    );
    expect(result.summary).toContain(
      '| ProxyService | UPDATE_FAILED | Invalid request provided: subnet not found |',
    );
  });

  it('says the circuit breaker rolled the service back when cdk deploy tripped it, and outputs service-rollout', async () => {
    aws.set(withServiceEvent('UPDATE_FAILED', CIRCUIT_BREAKER_TRIGGERED));
    const result = await run({ stacks: 'ingress' }, { FAKE_CDK_FAIL: '1' });
    expect(result.exitCode).toBe(1);
    expect(result.outputs['service-rollout']).toBe('rolled-back');
    // The failure report reads rolled-out: tasks were replaced before the failure.
    expect(result.outputs['rolled-out']).toBe('true');
    expect(result.stdout).toContain(
      '::error::cdk deploy failed (exit 1) after the ECS deployment circuit breaker rolled the proxy service back',
    );
    expect(result.summary).toContain('The ECS deployment circuit breaker tripped during this deploy');
  });

  it('outputs service-rollout none when a failed deploy did not touch the service, completed when it updated it', async () => {
    aws.set(cloudformation(true));
    const failed = await run({ stacks: 'ingress' }, { FAKE_CDK_FAIL: '1' });
    expect(failed.outputs['service-rollout']).toBe('none');
    expect(failed.outputs['rolled-out']).toBe('false');
    await rm(log, { force: true });
    aws.set(withServiceEvent('UPDATE_COMPLETE'));
    const updated = await run({ stacks: 'ingress' });
    expect(updated.exitCode, updated.stdout + updated.stderr).toBe(0);
    expect(updated.outputs['service-rollout']).toBe('completed');
  });

  it('cancels the Ingress update when cdk deploy outruns its deadline, waits for the rollback and reports', async () => {
    const cancelled = () => aws.calls('cloudformation:CancelUpdateStack').length > 0;
    const base = cloudformation(true);
    aws.set({
      ...base,
      'cloudformation:DescribeStacks': (request: AwsStubRequest) => {
        const answer = base['cloudformation:DescribeStacks'](request);
        const [stack] = answer.Stacks;
        if (stack?.StackName === INGRESS && existsSync(log))
          stack.StackStatus = cancelled() ? 'UPDATE_ROLLBACK_COMPLETE' : 'UPDATE_IN_PROGRESS';
        return answer;
      },
      'cloudformation:CancelUpdateStack': {},
      'cloudformation:DescribeStackEvents': () => ({
        StackEvents: [
          {
            StackName: INGRESS,
            EventId: 'e-cancel',
            LogicalResourceId: 'ProxyService',
            ResourceType: 'AWS::ECS::Service',
            ResourceStatus: 'UPDATE_FAILED',
            ResourceStatusReason: 'Resource update cancelled',
            Timestamp: new Date(),
          },
        ],
      }),
    });
    const result = await runAction('deploy-infra', {
      cwd: workspace,
      awsEndpoint: aws.url,
      env: { FAKE_CDK_LOG: log, FAKE_CDK_HANG: '1' },
      runnerTemp: join(workspace, 'runner-temp'),
      inputs: {
        environment: 'staging',
        stacks: 'all',
        'image-tag': TAG,
        'timeout-minutes': 0.05,
        'poll-interval-seconds': 0.02,
      },
    });
    expect(result.exitCode, result.stdout + result.stderr).toBe(1);
    // The deploy role may cancel the update (the stub answers as its policy would).
    expect(aws.denied).toEqual([]);
    expect(aws.calls('cloudformation:CancelUpdateStack').map((c) => c.params.StackName)).toEqual([INGRESS]);
    expect(result.stdout).toContain(
      `::error::cdk deploy did not finish within 0.05 minute(s); cancelled the update of ${INGRESS}; CloudFormation rolled it back (UPDATE_ROLLBACK_COMPLETE), so the next deploy can update it`,
    );
    expect(result.summary).toContain(`| ${INGRESS} | yes | UPDATE_ROLLBACK_COMPLETE |`);
    expect(result.summary).toContain('| ProxyService | UPDATE_FAILED | Resource update cancelled |');
    expect(result.outputs).toMatchObject({ 'service-rollout': 'rolled-back', 'rolled-out': 'true' });
    // The hung cdk process was stopped, not left running.
    const [call] = await cdkCalls();
    expect(() => process.kill(call?.pid ?? 0, 0)).toThrow();
  }, 120_000);
});
