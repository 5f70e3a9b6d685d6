// The bundled smoke action, expect refused, against an endpoint that never answers (a listener whose backlog is
// full and whose process is stopped, so the kernel drops the SYNs as a security group would): the checks are not
// tested, and the action gates on the target health of the Ingress stack's target groups, read through the AWS
// stub (CloudFormation ListStackResources, then ELBv2 DescribeTargetHealth over the Query protocol).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsStubError, type AwsStubTable } from '../support/aws-stub.ts';
import { runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { useStubs } from '../support/stubs.ts';
import { startUnansweredPort, type UnansweredPort } from '../support/unanswered-port.ts';

const stubs = useStubs();
const TG = (name: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/${name}/0123456789abcdef`;

let unanswered: UnansweredPort;
beforeAll(async () => {
  unanswered = await startUnansweredPort();
});
afterAll(() => unanswered?.close());

/** The Ingress stack's two target groups with these target states. */
function targets(tls: string[], http: string[]): AwsStubTable {
  const groups: Record<string, string[]> = { [TG('Ingres-ProxyTls')]: tls, [TG('Ingres-ProxyHttp')]: http };
  return {
    'cloudformation:ListStackResources': ({ params }) => {
      expect(params.StackName).toBe('LatticeIngress-staging-Ingress');
      return {
        StackResourceSummaries: [
          { LogicalResourceId: 'Cluster', ResourceType: 'AWS::ECS::Cluster', PhysicalResourceId: 'c' },
          ...Object.keys(groups).map((arn, i) => ({
            LogicalResourceId: `TargetGroup${i}`,
            ResourceType: 'AWS::ElasticLoadBalancingV2::TargetGroup',
            PhysicalResourceId: arn,
            ResourceStatus: 'UPDATE_COMPLETE',
            LastUpdatedTimestamp: new Date(),
          })),
        ],
      };
    },
    'elasticloadbalancing:DescribeTargetHealth': ({ params }) => ({
      TargetHealthDescriptions: (groups[String(params.TargetGroupArn)] ?? []).map((State, i) => ({
        Target: { Id: `10.0.0.${i + 1}`, Port: 8443 },
        HealthCheckPort: '8443',
        TargetHealth: { State },
      })),
    }),
  };
}

function smoke() {
  return runAction('smoke', {
    awsEndpoint: stubs.aws.url,
    inputs: {
      environment: 'staging',
      endpoint: '127.0.0.1',
      'tls-port': String(unanswered.port),
      'http-port': String(unanswered.port),
      expect: 'refused',
      'timeout-seconds': '2',
      'config-dir': SAMPLE_CONFIG_DIR,
    },
  });
}

describe('smoke action, expect refused, when nothing answers', () => {
  it('reports the checks as not tested and passes on a healthy target in every target group', async () => {
    stubs.aws.set(targets(['healthy', 'unhealthy'], ['healthy']));
    const run = await smoke();
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toMatchObject({ passed: '0', failed: '0', 'not-tested': '5' });
    expect(run.stdout).toMatch(/orders\s+443\s+refused\s+unanswered\s+.*not tested/);
    expect(run.summary).toContain('5 not tested');
    expect(run.summary).toContain('Ingres-ProxyTls: 1 of 2 healthy (healthy, unhealthy)');
    expect(run.annotations).toContainEqual(
      expect.objectContaining({ command: 'warning', properties: { title: 'Refusal not tested' } }),
    );
    expect(
      stubs.aws.calls('elasticloadbalancing:DescribeTargetHealth').map((c) => c.params.TargetGroupArn),
    ).toEqual([TG('Ingres-ProxyTls'), TG('Ingres-ProxyHttp')]);
  });

  it('fails when a target group has no healthy target: every task down looks the same from outside', async () => {
    stubs.aws.set(targets(['healthy'], ['unhealthy', 'unhealthy']));
    const run = await smoke();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain(
      '::error::5 refusal check(s) got no answer at all, so the refusal was not tested, and the target health gate failed: no healthy target in Ingres-ProxyHttp',
    );
  });

  it('fails, naming the permissions, when the target health cannot be read', async () => {
    stubs.aws.set({
      ...targets(['healthy'], ['healthy']),
      'elasticloadbalancing:DescribeTargetHealth': () => {
        throw new AwsStubError(
          'AccessDenied',
          'not authorized to perform: elasticloadbalancing:DescribeTargetHealth',
          403,
        );
      },
    });
    const run = await smoke();
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toContain('reading the target health failed (AccessDenied: ');
    expect(run.stdout).toContain('elasticloadbalancing:DescribeTargetHealth');
  });
});
