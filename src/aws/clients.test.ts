// The retry configuration against real HTTP: the SDK client, not a mock, sends requests to a local stub that
// throttles, so what is tested is the client's own retry behaviour.
import { DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsStub, AwsStubError, startAwsStub } from '../../test/support/aws-stub.ts';
import { isThrottling } from '../rollout/aws-answers.ts';
import { createAwsClients } from './clients.ts';

let aws: AwsStub;
const saved = { ...process.env };
beforeAll(async () => {
  aws = await startAwsStub();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: aws.url,
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_EC2_METADATA_DISABLED: 'true',
  });
});
afterAll(async () => {
  process.env = saved;
  await aws.close();
});

describe('AWS clients', () => {
  it('retry ThrottlingException with backoff until the call succeeds', async () => {
    aws.set({
      'ecs:DescribeServices': ({ call }) => {
        if (call <= 2) throw new AwsStubError('ThrottlingException', 'Rate exceeded');
        return { services: [{ serviceName: 'proxy', status: 'ACTIVE' }], failures: [] };
      },
    });
    const { ecs } = createAwsClients('eu-west-1');
    const result = await ecs.send(new DescribeServicesCommand({ cluster: 'c', services: ['proxy'] }));
    expect(result.services?.[0]?.status).toBe('ACTIVE');
    expect(aws.calls('ecs:DescribeServices')).toHaveLength(3);
    expect(result.$metadata.attempts).toBe(3);
  });

  it('recognise throttling by error name or message', () => {
    expect(isThrottling(new AwsStubError('ThrottlingException', 'x'))).toBe(true);
    expect(isThrottling(new AwsStubError('ClientException', 'Rate exceeded'))).toBe(true);
    expect(isThrottling(new AwsStubError('ClientException', 'bad request'))).toBe(false);
  });
});
