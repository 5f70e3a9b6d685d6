// The loopback AWS stub answers as AWS does to a caller holding a synthesized role: requests its policy does not
// allow are denied with the service's own error shape, and so are the checks AWS makes on the caller's behalf.
import { CloudFormationClient, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RolePolicies, rolePolicies } from '../../infra/iam-evaluation.ts';
import { environmentArns } from '../../infra/permissions.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Environment } from '../../src/config/model.ts';
import { policyAuthorizer, sharedAccessTemplate, TEST_CONFIG_DIR } from './aws-authorization.ts';
import { type AwsStub, startAwsStub } from './aws-stub.ts';
import { SYNTH_TIMEOUT_MS } from './timeouts.ts';

const STACK = 'LatticeIngress-staging-Ingress';
let staging: Environment;
let deployRole: RolePolicies;
const stubs: AwsStub[] = [];

beforeAll(async () => {
  const { config } = await loadConfig(TEST_CONFIG_DIR);
  staging = config?.deployment.environments.find((e) => e.name === 'staging') as Environment;
  deployRole = rolePolicies(await sharedAccessTemplate(staging), 'deploy', staging.account);
}, SYNTH_TIMEOUT_MS);
afterAll(async () => {
  for (const stub of stubs) await stub.close();
});

async function stubAs(policies: RolePolicies): Promise<AwsStub> {
  const stub = await startAwsStub(
    {
      'cloudformation:UpdateStack': {
        StackId: `arn:aws:cloudformation:eu-west-1:${staging.account}:stack/${STACK}/1`,
      },
      'ecs:DescribeServices': { services: [], failures: [] },
    },
    { authorize: policyAuthorizer(policies, environmentArns(staging)) },
  );
  stubs.push(stub);
  return stub;
}

const clientConfig = (stub: AwsStub) => ({
  region: 'eu-west-1',
  endpoint: stub.url,
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  maxAttempts: 1,
});

function updateStack(stub: AwsStub) {
  return new CloudFormationClient(clientConfig(stub)).send(
    new UpdateStackCommand({
      StackName: STACK,
      UsePreviousTemplate: true,
      Parameters: [{ ParameterKey: 'ImageTag', ParameterValue: `git-${'b'.repeat(40)}` }],
      RoleARN: environmentArns(staging).bootstrapRole('cfn-exec'),
    }),
  );
}

/** The role's policies without the statements granting `action`. */
function without(policies: RolePolicies, action: string): RolePolicies {
  return {
    ...policies,
    policies: policies.policies.map(({ name, policy }) => ({
      name,
      policy: {
        ...policy,
        Statement: policy.Statement.filter((s) => !JSON.stringify(s).includes(`"${action}"`)),
      },
    })),
  };
}

describe('aws-stub as the deploy role', () => {
  it('lets through what the synthesized deploy policy allows: UpdateStack of the Ingress stack as the execution role', async () => {
    const stub = await stubAs(deployRole);
    await expect(updateStack(stub)).resolves.toMatchObject({ StackId: expect.stringContaining(STACK) });
    expect(stub.denied).toEqual([]);
  });

  it('denies a request outside the policy with the service’s error (ECS: AccessDeniedException)', async () => {
    const stub = await stubAs(deployRole);
    const ecs = new ECSClient(clientConfig(stub));
    const error = await ecs
      .send(new DescribeServicesCommand({ cluster: 'someone-elses-cluster', services: ['proxy'] }))
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(
      /is not authorized to perform: ecs:DescribeServices on resource: .*someone-elses-cluster\/proxy/,
    );
    expect(stub.calls('ecs:DescribeServices')).toHaveLength(1);
  });

  it('fails UpdateStack as CloudFormation does when the caller may not read the SSM-typed BootstrapVersion parameter', async () => {
    const stub = await stubAs(without(deployRole, 'ssm:GetParameters'));
    const error = await updateStack(stub).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'ValidationError', $metadata: { httpStatusCode: 400 } });
    expect((error as Error).message).toMatch(
      /AccessDenied.*ssm:GetParameters.*parameter\/cdk-bootstrap\/hnb659fds\/version/,
    );
    expect(stub.denied).toHaveLength(1);
  });

  it('denies UpdateStack with AccessDenied (403) when the role may not pass the execution role', async () => {
    const stub = await stubAs(without(deployRole, 'iam:PassRole'));
    const error = await updateStack(stub).catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    expect((error as Error).message).toContain('iam:PassRole');
  });
});
