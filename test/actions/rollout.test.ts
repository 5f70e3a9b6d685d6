// The bundled rollout action, run as the runner runs it, against a scripted stack and service served by the AWS
// stub, with GitHub deployments recorded by the GitHub stub.
import { describe, expect, it } from 'vitest';
import { AwsStubError } from '../support/aws-stub.ts';
import { RUNNER_DEFAULTS, runAction } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { useStubs } from '../support/stubs.ts';
import { EXECUTION_ROLE_ARN, FleetSimulator, NEW_DIGEST, NEW_TAG, OLD_TAG } from './fleet-simulator.ts';

const stubs = useStubs();

const fast = { 'poll-interval-seconds': 0.02 };

function run(inputs: Record<string, string | number>) {
  return runAction('rollout', {
    awsEndpoint: stubs.aws.url,
    githubApiUrl: stubs.github.url,
    inputs: {
      environment: 'staging',
      'config-dir': SAMPLE_CONFIG_DIR,
      'image-tag': NEW_TAG,
      ...fast,
      ...inputs,
    },
  });
}

describe('rollout action (bundled)', () => {
  it('updates the stack, follows the deployment to COMPLETED, verifies digests and records the deployment', async () => {
    const fleet = new FleetSimulator('complete');
    let throttled = 0;
    stubs.aws.set(
      fleet.stubTable({
        // The first status poll is throttled: the SDK's retry absorbs it.
        'ecs:DescribeServices': ({ call }) => {
          if (call === 1) {
            throttled++;
            throw new AwsStubError('ThrottlingException', 'Rate exceeded');
          }
          return fleet.describeServices();
        },
      }),
    );
    const result = await run({});
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(throttled).toBe(1);
    expect(result.outputs).toMatchObject({
      'image-digest': NEW_DIGEST,
      'previous-image-tag': OLD_TAG,
      'task-definition-arn': expect.stringMatching(/task-definition\/.+:2$/),
      'deployment-id': expect.stringMatching(/^\d+$/),
    });
    const update = stubs.aws.calls('cloudformation:UpdateStack')[0]?.params;
    expect(update).toEqual({
      StackName: 'LatticeIngress-staging-Ingress',
      UsePreviousTemplate: 'true',
      Parameters: [
        { ParameterKey: 'ImageTag', ParameterValue: NEW_TAG },
        { ParameterKey: 'BootstrapVersion', UsePreviousValue: 'true' },
      ],
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      RoleARN: EXECUTION_ROLE_ARN,
    });
    // Progress and each new service event once.
    expect(result.stdout).toContain('IN_PROGRESS: running 1/2, pending 1');
    expect(result.stdout.match(/has started 1 tasks/g)).toHaveLength(1);
    expect(result.stdout).not.toContain('has reached a steady state.\n  event'); // the hour-old event is not replayed
    expect(result.stdout).toContain(`Verified 2 running task(s) use ${NEW_DIGEST}`);
    expect(result.summary).toContain(`## Rollout: ✅ \`${NEW_TAG}\` is running`);
    expect(result.summary).toContain(`\`${OLD_TAG}\` → \`${NEW_TAG}\``);
    expect(result.summary).toMatch(/<summary>Service events \(\d+\)<\/summary>[\s\S]*has started 1 tasks/);

    const [deployment] = stubs.github.deployments;
    expect(deployment).toMatchObject({
      environment: 'staging',
      sha: RUNNER_DEFAULTS.GITHUB_SHA,
      payload: { imageTag: NEW_TAG, digest: NEW_DIGEST },
    });
    expect(deployment?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment?.statuses[1]?.log_url).toBe(
      'https://github.com/example-org/lattice-ingress/actions/runs/4242/attempts/1',
    );
  });

  it('fails with stopped-task reasons, exit codes, stack and service events when the circuit breaker rolls back', async () => {
    const fleet = new FleetSimulator('circuit-breaker');
    stubs.aws.set(fleet.stubTable());
    const result = await run({});
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::ECS rolled the deployment back: ECS deployment circuit breaker: tasks failed to start.',
    );
    expect(result.stdout).toContain('new-1: Essential container in task exited [EssentialContainerExited]');
    expect(result.summary).toContain('#### Stopped tasks');
    expect(result.summary).toContain('proxy: 1 nginx: [emerg] unknown directive "resolve"');
    expect(result.summary).toContain('#### CloudFormation failures');
    expect(result.summary).toContain('ECS Deployment Circuit Breaker was triggered');
    expect(result.summary).not.toContain('ProxyTaskDefinition');
    expect(result.summary).toContain('deployment failed: tasks failed to start.');
    expect(stubs.github.deployments[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'failure']);
    expect(result.outputs['image-digest']).toBeUndefined();
    expect(result.outputs['stack-updated']).toBe('true');
  });

  it('times out with the last progress, cancels the stack update and reports', async () => {
    const fleet = new FleetSimulator('stuck');
    stubs.aws.set(fleet.stubTable());
    const result = await run({ 'timeout-minutes': 0.05 });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /::error::timed out after 0 minute\(s\) waiting for git-b+ to reach rolloutState COMPLETED \(last seen: IN_PROGRESS: running 1\/2, pending 1\); cancelled the stack update/,
    );
    expect(stubs.aws.calls('cloudformation:CancelUpdateStack')).toHaveLength(1);
  });

  it('follows and verifies without a second stack update when deploy-infra already gave the stack the tag', async () => {
    // The deploy's cdk deploy passes the new ImageTag in its own update, which rolls the service out; by the time
    // this step runs the stack has the tag and the new deployment has completed.
    const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: NEW_TAG });
    stubs.aws.set(fleet.stubTable());
    const result = await run({});
    expect(result.exitCode, result.stdout + result.stderr).toBe(0);
    expect(stubs.aws.calls('cloudformation:UpdateStack')).toEqual([]);
    expect(result.outputs).toMatchObject({ 'image-digest': NEW_DIGEST, 'stack-updated': 'false' });
    expect(result.stdout).toContain(`Verified 2 running task(s) use ${NEW_DIGEST}`);
    expect(stubs.github.deployments[0]?.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
  });

  it('refuses an environment the configuration does not name before AWS or GitHub hears of it', async () => {
    stubs.aws.set(new FleetSimulator('complete').stubTable());
    const result = await run({ environment: 'nowhere' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/::error::no environment "nowhere" in .*; nothing was changed/);
    expect(result.summary).toContain('failed');
    expect(result.outputs['stack-updated']).toBe('false');
    expect(stubs.aws.requests).toHaveLength(0);
    expect(stubs.github.deployments).toHaveLength(0);
  });

  it('refuses a tag that is not in ECR and changes nothing', async () => {
    const fleet = new FleetSimulator('complete');
    stubs.aws.set(fleet.stubTable());
    const result = await run({ 'image-tag': 'git-cccccccccccccccccccccccccccccccccccccccc' });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain(
      '::error::image lattice-ingress-staging:git-cccccccccccccccccccccccccccccccccccccccc does not exist in ECR; nothing was changed',
    );
    expect(stubs.aws.calls('cloudformation:UpdateStack')).toHaveLength(0);
    // The attempt is recorded as failed, so `rollback previous` afterwards targets what is really running.
    expect(stubs.github.deployments.map((d) => d.statuses.map((st) => st.state))).toEqual([
      ['in_progress', 'failure'],
    ]);
  });

  it('an UpdateStack AccessDenied ends in the failure summary and deployment status error, not a raw stack', async () => {
    const fleet = new FleetSimulator('complete');
    // CloudFormation resolves AWS::SSM::Parameter::Value parameters as the caller, so a role without
    // ssm:GetParameters gets this from UpdateStack (the message aws-cdk issues 10083 and 20959 quote).
    const denied =
      'User: arn:aws:sts::111122223333:assumed-role/deploy/gh is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:111122223333:parameter/cdk-bootstrap/hnb659fds/version';
    stubs.aws.set(
      fleet.stubTable({
        'cloudformation:UpdateStack': () => {
          throw new AwsStubError('ValidationError', denied);
        },
      }),
    );
    const result = await run({});
    expect(result.exitCode).toBe(1);
    expect(result.annotations.filter((a) => a.command === 'error').map((a) => a.message)).toEqual([
      `updating stack LatticeIngress-staging-Ingress failed: ValidationError: ${denied}; nothing was changed`,
    ]);
    expect(result.stdout).not.toMatch(/^\s+at /m); // no stack trace: the failure was explained
    expect(result.summary).toContain(`## Rollout of \`${NEW_TAG}\` failed`);
    expect(result.summary).toContain(`\`${OLD_TAG}\` → \`${NEW_TAG}\``);
    expect(stubs.github.deployments.map((d) => d.statuses.map((st) => st.state))).toEqual([
      ['in_progress', 'error'],
    ]);
    expect(result.outputs['stack-updated']).toBe('false'); // nothing to roll back
  });
});
