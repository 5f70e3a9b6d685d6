// The shared rollout logic with the real AWS adapters over SDK clients mocked at the client boundary
// (aws-sdk-client-mock), a clock that only advances when the logic sleeps, and an in-memory deployment log.
import {
  CancelUpdateStackCommand,
  CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MemoryIO } from '../../src/actions/io.ts';
import { reportRollout } from '../../src/actions/rollout-report.ts';
import { ActionFailure } from '../../src/actions/run.ts';
import { Stacks } from '../../src/aws/cloudformation.ts';
import { Registry } from '../../src/aws/ecr.ts';
import { Fleet } from '../../src/aws/ecs.ts';
import { EnvironmentSchema } from '../../src/config/model.ts';
import type { DeploymentLog, DeploymentState } from '../../src/operations/ports.ts';
import { type RolloutAdapters, type RolloutRequest, rollOut } from '../../src/operations/roll-out.ts';
import type { DeploymentRecord } from '../../src/rollout/rollback-target.ts';
import {
  FleetSimulator,
  NEW_DIGEST,
  NEW_TAG,
  OLD_TAG,
  type Outcome,
  REPOSITORY,
} from '../actions/fleet-simulator.ts';
import { AwsStubError } from '../support/aws-stub.ts';

// What CloudFormation answers when the caller may not resolve the template's SSM parameter (aws-cdk issues 10083
// and 20959 quote it): UpdateStack resolves AWS::SSM::Parameter::Value parameters with the caller's credentials.
const SSM_ACCESS_DENIED = new AwsStubError(
  'ValidationError',
  'User: arn:aws:sts::111122223333:assumed-role/deploy/gh is not authorized to perform: ssm:GetParameters on resource: arn:aws:ssm:eu-west-1:111122223333:parameter/cdk-bootstrap/hnb659fds/version because no identity-based policy allows the ssm:GetParameters action (Service: AWSSimpleSystemsManagement; Status Code: 400; Error Code: AccessDeniedException)',
);

const ecs = mockClient(ECSClient);
const ecr = mockClient(ECRClient);
const cfn = mockClient(CloudFormationClient);

const environment = EnvironmentSchema.parse({
  name: 'staging',
  account: '111122223333',
  region: 'eu-west-1',
  mode: 'private',
  vpcCidr: '10.42.0.0/20',
  github: { repository: 'example-org/lattice-ingress' },
});

class MemoryDeployments implements DeploymentLog {
  readonly created: { id: number; payload: unknown; statuses: DeploymentState[] }[] = [];
  async create(input: { payload: unknown }) {
    const id = this.created.length + 1;
    this.created.push({ id, payload: input.payload, statuses: [] });
    return id;
  }
  async setStatus(id: number, state: DeploymentState) {
    this.created[id - 1]?.statuses.push(state);
  }
  async history(): Promise<DeploymentRecord[]> {
    return [];
  }
}

let deployments: MemoryDeployments;
let io: MemoryIO;
let slept: number[];

function wire(fleet: FleetSimulator) {
  ecs.on(DescribeServicesCommand).callsFake(() => fleet.describeServices());
  ecs
    .on(DescribeTaskDefinitionCommand)
    .callsFake((input) => fleet.describeTaskDefinition(input.taskDefinition));
  ecs.on(ListTasksCommand).callsFake((input) => fleet.listTasks(input.desiredStatus));
  ecs.on(DescribeTasksCommand).callsFake((input) => fleet.describeTasks(input.tasks));
  ecr.on(DescribeImagesCommand).callsFake((input) => fleet.describeImages(input));
  cfn.on(DescribeStacksCommand).callsFake(() => ({ Stacks: [fleet.stack()] }));
  cfn
    .on(UpdateStackCommand)
    .callsFake((input) =>
      fleet.updateStack(
        input.Parameters?.find((p: { ParameterKey: string }) => p.ParameterKey === 'ImageTag')
          ?.ParameterValue,
      ),
    );
  cfn.on(DescribeStackEventsCommand).callsFake(() => fleet.stackEvents());
  cfn.on(CancelUpdateStackCommand).resolves({});
}

function adapters(): RolloutAdapters {
  let now = Date.now();
  return {
    stacks: new Stacks(new CloudFormationClient({ region: 'eu-west-1' })),
    registry: new Registry(new ECRClient({ region: 'eu-west-1' }), REPOSITORY),
    fleet: (cluster, service) =>
      new Fleet(new ECSClient({ region: 'eu-west-1' }), cluster, service, REPOSITORY),
    deployments,
    clock: {
      now: () => new Date(now),
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    },
  };
}

function request(overrides: Partial<RolloutRequest> = {}): RolloutRequest {
  return {
    environment,
    githubEnvironment: 'staging',
    imageTag: NEW_TAG,
    sha: 'b'.repeat(40),
    description: 'test',
    timeoutMs: 20 * 60_000,
    pollIntervalMs: 10_000,
    cancelOnTimeout: true,
    logUrl: 'https://github.com/example-org/lattice-ingress/actions/runs/1',
    ...overrides,
  };
}

/** The rollout as the rollout action runs it: the operation, then its report. */
async function recordedRollout(request: RolloutRequest, ports: RolloutAdapters, io: MemoryIO) {
  const header = { title: 'Rollout', environmentName: request.environment.name, imageTag: request.imageTag };
  return reportRollout(header, await rollOut(request, ports, io), io);
}

async function rolloutExpectingFailure(
  outcome: Outcome | FleetSimulator,
  overrides: Partial<RolloutRequest> = {},
) {
  const fleet = typeof outcome === 'string' ? new FleetSimulator(outcome) : outcome;
  wire(fleet);
  const error = await recordedRollout(request(overrides), adapters(), io).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ActionFailure);
  return { fleet, message: (error as Error).message };
}

beforeEach(() => {
  deployments = new MemoryDeployments();
  io = new MemoryIO();
  slept = [];
});
afterEach(() => {
  ecs.reset();
  ecr.reset();
  cfn.reset();
});

describe('recordedRollout', () => {
  it('completes, verifies the digest and records success with the image’s newest render day', async () => {
    const fleet = new FleetSimulator('complete');
    fleet.images[`git-rendered-2026-01-02-${'b'.repeat(40)}`] = NEW_DIGEST;
    fleet.images[`git-rendered-2026-01-04-${'b'.repeat(40)}`] = NEW_DIGEST;
    wire(fleet);
    const result = await recordedRollout(request(), adapters(), io);
    expect(result).toMatchObject({
      imageDigest: NEW_DIGEST,
      previousImageTag: OLD_TAG,
      verifiedTasks: 2,
      changed: true,
    });
    expect(deployments.created[0]).toMatchObject({
      payload: { imageTag: NEW_TAG, digest: NEW_DIGEST, renderedOn: '2026-01-04' },
      statuses: ['in_progress', 'success'],
    });
    expect(cfn.commandCalls(UpdateStackCommand)[0]?.args[0].input).toMatchObject({
      UsePreviousTemplate: true,
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'],
      Parameters: [
        { ParameterKey: 'ImageTag', ParameterValue: NEW_TAG },
        { ParameterKey: 'BootstrapVersion', UsePreviousValue: true },
      ],
    });
  });

  it('keeps polling through ThrottlingException, backing off harder, and still completes', async () => {
    const fleet = new FleetSimulator('complete');
    wire(fleet);
    ecs
      .on(DescribeServicesCommand)
      .rejectsOnce(new AwsStubError('ThrottlingException', 'Rate exceeded'))
      .callsFake(() => fleet.describeServices());
    const result = await recordedRollout(request(), adapters(), io);
    expect(result.verifiedTasks).toBe(2);
    expect(io.log).toContain('AWS is throttling requests (Rate exceeded); polling more slowly');
    expect(slept[0]).toBe(20_000); // double the 10 s interval after the throttled poll
  });

  it('fails on a circuit-breaker rollback with stopped-task exit codes and stack failures, and records failure', async () => {
    const { message } = await rolloutExpectingFailure('circuit-breaker');
    expect(message).toBe(
      'ECS rolled the deployment back: ECS deployment circuit breaker: tasks failed to start.',
    );
    expect(io.summary).toContain('proxy: 1 nginx: [emerg] unknown directive "resolve"');
    expect(io.summary).toContain('ECS Deployment Circuit Breaker was triggered');
    expect(deployments.created[0]?.statuses).toEqual(['in_progress', 'failure']);
    // Stopped tasks are read for the failed deployment.
    expect(ecs.commandCalls(ListTasksCommand, { desiredStatus: 'STOPPED' })).toHaveLength(1);
  });

  it('times out after the configured time (not real minutes), cancels the update and says what it last saw', async () => {
    const { message } = await rolloutExpectingFailure('stuck', { timeoutMs: 60_000 });
    expect(message).toBe(
      `timed out after 1 minute(s) waiting for ${NEW_TAG} to reach rolloutState COMPLETED (last seen: IN_PROGRESS: running 1/2, pending 1); cancelled the stack update, so CloudFormation rolls back to ${OLD_TAG}`,
    );
    expect(cfn.commandCalls(CancelUpdateStackCommand)).toHaveLength(1);
    expect(slept.reduce((a, b) => a + b, 0)).toBe(60_000);
  });

  it('refuses a missing image before touching the stack', async () => {
    const { message } = await rolloutExpectingFailure('complete', { imageTag: 'git-missing' });
    expect(message).toMatch(
      /^image lattice-ingress-staging:git-missing does not exist in ECR; nothing was changed\. Newest tags: /,
    );
    expect(cfn.commandCalls(UpdateStackCommand)).toHaveLength(0);
    expect(deployments.created[0]?.statuses).toEqual(['in_progress', 'failure']);
  });

  it('fails on a stale service (INACTIVE)', async () => {
    const { message } = await rolloutExpectingFailure('inactive');
    expect(message).toMatch(/^ECS service proxy is INACTIVE, not ACTIVE/);
  });

  it('refuses a stack in UPDATE_ROLLBACK_FAILED and says how to recover', async () => {
    const { message } = await rolloutExpectingFailure(
      new FleetSimulator('complete', { stackStatus: 'UPDATE_ROLLBACK_FAILED' }),
    );
    expect(message).toContain('is UPDATE_ROLLBACK_FAILED');
    expect(message).toContain('continue-update-rollback');
    expect(cfn.commandCalls(UpdateStackCommand)).toHaveLength(0);
  });

  it('waits for a stack that is still busy before updating it', async () => {
    const fleet = new FleetSimulator('complete');
    wire(fleet);
    const busy = { ...fleet.stack(), StackStatus: 'UPDATE_ROLLBACK_IN_PROGRESS' as const };
    cfn
      .on(DescribeStacksCommand)
      .resolvesOnce({ Stacks: [busy] })
      .resolvesOnce({ Stacks: [busy] })
      .callsFake(() => ({ Stacks: [fleet.stack()] }));
    await recordedRollout(request(), adapters(), io);
    expect(io.log).toContainEqual(
      expect.stringMatching(/is UPDATE_ROLLBACK_IN_PROGRESS; waiting for it to settle/),
    );
    expect(cfn.commandCalls(UpdateStackCommand)).toHaveLength(1);
  });

  it('fails when a running task does not run the registry digest of the tag', async () => {
    const { message } = await rolloutExpectingFailure('wrong-digest');
    expect(message).toMatch(/^1 running task\(s\) do not run sha256:2+ \(git-b+\): run-2 runs sha256:9+$/);
  });

  it('already on the tag (deploy-infra set it): issues no UpdateStack, verifies the service', async () => {
    const fleet = new FleetSimulator('complete', { currentTag: NEW_TAG, targetTag: NEW_TAG });
    wire(fleet);
    const result = await recordedRollout(request(), adapters(), io);
    expect(result.changed).toBe(false);
    expect(cfn.commandCalls(UpdateStackCommand)).toHaveLength(0);
    expect(io.log).toContainEqual(
      expect.stringContaining(`already has ImageTag=${NEW_TAG}; no stack update`),
    );
    expect(io.summary).toContain('already on');
  });

  it('rolls out without GitHub when no token was given', async () => {
    wire(new FleetSimulator('complete'));
    const { deployments: _none, ...withoutGitHub } = adapters();
    const result = await recordedRollout(request(), withoutGitHub, io);
    expect(result.deploymentId).toBeUndefined();
  });

  it('an UpdateStack error (AccessDenied resolving an SSM parameter) ends in the failure report and status error', async () => {
    wire(new FleetSimulator('complete'));
    cfn.on(UpdateStackCommand).rejects(SSM_ACCESS_DENIED);
    const error = await recordedRollout(request(), adapters(), io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionFailure);
    expect((error as Error).message).toBe(
      `updating stack LatticeIngress-staging-Ingress failed: ValidationError: ${SSM_ACCESS_DENIED.message}; nothing was changed`,
    );
    expect(io.summary).toContain(`## Rollout of \`${NEW_TAG}\` failed`);
    expect(io.summary).toContain('ssm:GetParameters');
    expect(deployments.created[0]?.statuses).toEqual(['in_progress', 'error']);
  });

  it('an error while following (after the stack was updated) is reported with the evidence the fleet shows', async () => {
    const fleet = new FleetSimulator('complete');
    wire(fleet);
    ecs
      .on(DescribeServicesCommand)
      .callsFakeOnce(() => fleet.describeServices())
      .rejectsOnce(
        new AwsStubError('AccessDeniedException', 'not authorized to perform: ecs:DescribeServices'),
      )
      .callsFake(() => fleet.describeServices());
    const error = await recordedRollout(request(), adapters(), io).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      'following the rollout failed: AccessDeniedException: not authorized to perform: ecs:DescribeServices',
    );
    expect(io.summary).toContain('#### Service events');
    expect(deployments.created[0]?.statuses).toEqual(['in_progress', 'error']);
  });

  it('an error looking up the image (before anything is recorded) is reported, not thrown raw', async () => {
    wire(new FleetSimulator('complete'));
    ecr
      .on(DescribeImagesCommand)
      .rejects(new AwsStubError('AccessDeniedException', 'ecr:DescribeImages denied'));
    const error = await recordedRollout(request(), adapters(), io).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActionFailure);
    expect((error as Error).message).toBe(
      'looking up the image failed: AccessDeniedException: ecr:DescribeImages denied; nothing was changed',
    );
    expect(io.summary).toContain('failed');
    expect(deployments.created).toEqual([]);
  });
});

describe('rollOut (the use case)', () => {
  async function rollOutNewTag() {
    return rollOut({ ...request(), timeoutMs: 60_000 }, { ...adapters(), deployments: undefined }, io);
  }

  it('returns a failed outcome with the error instead of throwing, and says nothing was changed', async () => {
    const fleet = new FleetSimulator('complete');
    wire(fleet);
    cfn.on(UpdateStackCommand).rejects(SSM_ACCESS_DENIED);
    const outcome = await rollOutNewTag();
    expect(outcome).toMatchObject({
      state: 'failed',
      kind: 'error',
      unchanged: true,
      previousImageTag: OLD_TAG,
      imageDigest: NEW_DIGEST,
      error: SSM_ACCESS_DENIED,
    });
  });

  it('reports a circuit-breaker rollback as its kind, with stopped tasks as evidence', async () => {
    wire(new FleetSimulator('circuit-breaker'));
    const outcome = await rollOutNewTag();
    expect(outcome.state === 'failed' && outcome.kind).toBe('circuit-breaker');
    expect(outcome.state === 'failed' && outcome.evidence.stoppedTasks.length).toBeGreaterThan(0);
  });
});
