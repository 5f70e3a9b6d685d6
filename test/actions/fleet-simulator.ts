// A scripted Ingress stack + ECS service that moves one step per DescribeServices poll, answering with the shapes
// the SDK returns. The runner-style tests serve it through aws-stub; the unit tests through aws-sdk-client-mock.
import type { Stack, StackStatus } from '@aws-sdk/client-cloudformation';
import type { Deployment, ServiceEvent, Task } from '@aws-sdk/client-ecs';
import type { AwsStubTable } from '../support/aws-stub.ts';
import { AwsStubError } from '../support/aws-stub.ts';

export const ACCOUNT = '111122223333';
export const REPOSITORY = 'lattice-ingress-staging';
export const REPOSITORY_URI = `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/${REPOSITORY}`;
export const STACK = 'LatticeIngress-staging-Ingress';
export const EXECUTION_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`;
export const CLUSTER = 'lattice-ingress-staging';
export const SERVICE = 'proxy';
export const OLD_TAG = `git-${'a'.repeat(40)}`;
export const NEW_TAG = `git-${'b'.repeat(40)}`;
export const OLD_DIGEST = `sha256:${'1'.repeat(64)}`;
export const NEW_DIGEST = `sha256:${'2'.repeat(64)}`;
/** What CloudFormation records on the ECS service when the deployment circuit breaker fails its update. */
export const CIRCUIT_BREAKER_TRIGGERED =
  'Resource handler returned message: "Error occurred during operation \'ECS Deployment Circuit Breaker was triggered\'."';

/**
 * - complete: the new deployment goes IN_PROGRESS, then COMPLETED; the stack UPDATE_COMPLETE.
 * - circuit-breaker: the new tasks exit 1; ECS marks the deployment FAILED and the stack rolls back.
 * - stuck: the new deployment never gets past 1 of 2 running (for timeouts).
 * - inactive: the service is INACTIVE (deleted outside the stack).
 * - wrong-digest: completes, but a running task reports another digest.
 */
export type Outcome = 'complete' | 'circuit-breaker' | 'stuck' | 'inactive' | 'wrong-digest';

const taskDefinitionArn = (revision: number) =>
  `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/LatticeIngressstagingIngressProxy:${revision}`;
const OLD_TD = taskDefinitionArn(1);
const NEW_TD = taskDefinitionArn(2);

export class FleetSimulator {
  /** Set by UpdateStack. */
  updated = false;
  /** DescribeServices polls since the update. */
  polls = 0;
  private readonly t0 = new Date(Date.now() - 5_000);
  private readonly events: ServiceEvent[] = [
    {
      id: 'old-1',
      createdAt: new Date(Date.now() - 3_600_000),
      message: '(service proxy) has reached a steady state.',
    },
  ];

  constructor(
    readonly outcome: Outcome,
    readonly options: { currentTag?: string; targetTag?: string; stackStatus?: string } = {},
  ) {}

  get currentTag() {
    return this.options.currentTag ?? OLD_TAG;
  }
  get targetTag() {
    return this.options.targetTag ?? NEW_TAG;
  }
  private get alreadyOnTarget() {
    return this.currentTag === this.targetTag;
  }

  stack(): Stack {
    let status: StackStatus = (this.options.stackStatus as StackStatus | undefined) ?? 'UPDATE_COMPLETE';
    let tag = this.currentTag;
    if (this.updated) {
      tag = this.targetTag;
      if (this.outcome === 'circuit-breaker')
        status = this.polls >= 3 ? 'UPDATE_ROLLBACK_IN_PROGRESS' : 'UPDATE_IN_PROGRESS';
      else if (this.outcome === 'stuck') status = 'UPDATE_IN_PROGRESS';
      else status = this.polls >= 3 ? 'UPDATE_COMPLETE' : 'UPDATE_IN_PROGRESS';
    }
    return {
      StackName: STACK,
      StackId: `arn:aws:cloudformation:eu-west-1:${ACCOUNT}:stack/${STACK}/1`,
      CreationTime: new Date('2026-01-01T00:00:00Z'),
      StackStatus: status,
      Capabilities: ['CAPABILITY_IAM'],
      // cdk deploy runs every change set as the bootstrap execution role, which stays the stack's service role.
      RoleARN: EXECUTION_ROLE_ARN,
      Parameters: [
        { ParameterKey: 'ImageTag', ParameterValue: tag },
        { ParameterKey: 'BootstrapVersion', ParameterValue: '/cdk-bootstrap/hnb659fds/version' },
      ],
      Outputs: [
        { OutputKey: 'ClusterName', OutputValue: CLUSTER },
        { OutputKey: 'ServiceName', OutputValue: SERVICE },
        {
          OutputKey: 'PrivateLoadBalancerDnsName',
          OutputValue: 'internal-li-staging.elb.eu-west-1.amazonaws.com',
        },
        { OutputKey: 'RepositoryUri', OutputValue: REPOSITORY_URI },
      ],
    };
  }

  /** UpdateStack: CloudFormation answers "No updates" when the tag is unchanged. */
  updateStack(tag: string): { StackId: string } {
    if (tag === this.currentTag) throw new AwsStubError('ValidationError', 'No updates are to be performed.');
    this.updated = true;
    return { StackId: this.stack().StackId ?? '' };
  }

  private event(message: string) {
    const id = `e-${this.events.length}`;
    this.events.unshift({ id, createdAt: new Date(), message });
  }

  describeServices() {
    if (this.updated) this.polls++;
    const oldDeployment: Deployment = {
      id: 'ecs-svc/old',
      status: 'PRIMARY',
      taskDefinition: this.alreadyOnTarget ? NEW_TD : OLD_TD,
      desiredCount: 2,
      runningCount: 2,
      pendingCount: 0,
      rolloutState: 'COMPLETED',
      createdAt: this.t0,
    };
    const deployments: Deployment[] = [oldDeployment];
    if (this.updated && this.polls >= 2) {
      const failed = this.outcome === 'circuit-breaker';
      const done = (this.outcome === 'complete' || this.outcome === 'wrong-digest') && this.polls >= 3;
      const fresh: Deployment = {
        id: 'ecs-svc/new',
        status: failed && this.polls >= 3 ? 'ACTIVE' : 'PRIMARY',
        taskDefinition: NEW_TD,
        desiredCount: 2,
        runningCount: done ? 2 : 1,
        pendingCount: done ? 0 : 1,
        failedTasks: failed ? 2 : 0,
        rolloutState: failed && this.polls >= 3 ? 'FAILED' : done ? 'COMPLETED' : 'IN_PROGRESS',
        ...(failed && this.polls >= 3
          ? { rolloutStateReason: 'ECS deployment circuit breaker: tasks failed to start.' }
          : {}),
        createdAt: new Date(),
      };
      if (this.polls === 2) this.event('(service proxy) has started 1 tasks: (task new-1).');
      if (failed && this.polls === 3) {
        this.event('(service proxy) (deployment ecs-svc/new) deployment failed: tasks failed to start.');
        this.event('(service proxy) rolling back to deployment ecs-svc/old.');
      }
      if (done && this.polls === 3) this.event('(service proxy) has reached a steady state.');
      if (fresh.status === 'PRIMARY') {
        oldDeployment.status = 'ACTIVE';
        deployments.unshift(fresh);
      } else {
        oldDeployment.rolloutState = 'IN_PROGRESS';
        deployments.push(fresh);
      }
    }
    return {
      services: [
        {
          serviceName: SERVICE,
          clusterArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/${CLUSTER}`,
          status: this.outcome === 'inactive' ? 'INACTIVE' : 'ACTIVE',
          desiredCount: 2,
          runningCount: 2,
          deployments,
          events: this.events.slice(0, 100),
        },
      ],
      failures: [],
    };
  }

  describeTaskDefinition(arn: string) {
    const tag = arn === NEW_TD ? this.targetTag : this.currentTag;
    return {
      taskDefinition: {
        taskDefinitionArn: arn,
        containerDefinitions: [{ name: 'proxy', image: `${REPOSITORY_URI}:${tag}`, essential: true }],
      },
    };
  }

  listTasks(desiredStatus: string) {
    if (desiredStatus === 'STOPPED')
      return { taskArns: this.outcome === 'circuit-breaker' ? [this.taskArn('new-1')] : [] };
    return { taskArns: [this.taskArn('run-1'), this.taskArn('run-2')] };
  }

  describeTasks(arns: string[]): { tasks: Task[] } {
    return {
      tasks: arns.map((arn): Task => {
        if (arn.endsWith('new-1')) {
          return {
            taskArn: arn,
            taskDefinitionArn: NEW_TD,
            lastStatus: 'STOPPED',
            desiredStatus: 'STOPPED',
            stopCode: 'EssentialContainerExited',
            stoppedReason: 'Essential container in task exited',
            stoppedAt: new Date(),
            createdAt: new Date(),
            containers: [
              { name: 'proxy', exitCode: 1, reason: 'nginx: [emerg] unknown directive "resolve"' },
            ],
          };
        }
        const wrong = this.outcome === 'wrong-digest' && arn.endsWith('run-2');
        return {
          taskArn: arn,
          taskDefinitionArn: NEW_TD,
          lastStatus: 'RUNNING',
          desiredStatus: 'RUNNING',
          containers: [
            {
              name: 'proxy',
              image: `${REPOSITORY_URI}:${this.targetTag}`,
              imageDigest: wrong ? `sha256:${'9'.repeat(64)}` : this.images[this.targetTag],
            },
          ],
        };
      }),
    };
  }

  stackEvents() {
    const events =
      this.outcome === 'circuit-breaker' && this.polls >= 3
        ? [
            {
              StackName: STACK,
              EventId: 'ev-1',
              LogicalResourceId: 'ProxyTaskDefinition',
              ResourceType: 'AWS::ECS::TaskDefinition',
              ResourceStatus: 'UPDATE_IN_PROGRESS',
              Timestamp: new Date(),
            },
            {
              StackName: STACK,
              EventId: 'ev-2',
              LogicalResourceId: 'ProxyService',
              ResourceType: 'AWS::ECS::Service',
              ResourceStatus: 'UPDATE_FAILED',
              ResourceStatusReason: CIRCUIT_BREAKER_TRIGGERED,
              Timestamp: new Date(),
            },
          ]
        : [];
    return { StackEvents: events };
  }

  private taskArn(id: string) {
    return `arn:aws:ecs:eu-west-1:${ACCOUNT}:task/${CLUSTER}/${id}`;
  }

  /** The images in the registry: tag -> digest. */
  images: Record<string, string> = { [OLD_TAG]: OLD_DIGEST, [NEW_TAG]: NEW_DIGEST };

  describeImages(params: { imageIds?: { imageTag?: string }[] }) {
    const tag = params.imageIds?.[0]?.imageTag;
    if (tag === undefined) {
      return {
        imageDetails: Object.entries(this.images).map(([t, digest], i) => ({
          imageDigest: digest,
          imageTags: [t],
          imagePushedAt: new Date(Date.UTC(2026, 0, 1 + i)),
        })),
      };
    }
    const digest = this.images[tag];
    if (!digest) {
      throw new AwsStubError(
        'ImageNotFoundException',
        `The image with imageId {imageTag:'${tag}'} does not exist within the repository`,
      );
    }
    // Like ECR: the image found by one tag comes with all its tags.
    const imageTags = Object.keys(this.images).filter((t) => this.images[t] === digest);
    return { imageDetails: [{ imageDigest: digest, imageTags, imagePushedAt: new Date() }] };
  }

  /** Handlers for aws-stub (runner-style tests). */
  stubTable(extra: AwsStubTable = {}): AwsStubTable {
    return {
      'sts:GetCallerIdentity': {
        Account: ACCOUNT,
        Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deploy/gha`,
        UserId: 'x',
      },
      'ecr:DescribeImages': ({ params }) => this.describeImages(params),
      'cloudformation:DescribeStacks': () => ({ Stacks: [this.stack()] }),
      'cloudformation:UpdateStack': ({ params }) => {
        const parameters = params.Parameters as { ParameterKey: string; ParameterValue?: string }[];
        return this.updateStack(parameters.find((p) => p.ParameterKey === 'ImageTag')?.ParameterValue ?? '');
      },
      'cloudformation:DescribeStackEvents': () => this.stackEvents(),
      'cloudformation:CancelUpdateStack': {},
      'ecs:DescribeServices': () => this.describeServices(),
      'ecs:DescribeTaskDefinition': ({ params }) =>
        this.describeTaskDefinition(String(params.taskDefinition)),
      'ecs:ListTasks': ({ params }) => this.listTasks(String(params.desiredStatus)),
      'ecs:DescribeTasks': ({ params }) => this.describeTasks(params.tasks as string[]),
      ...extra,
    };
  }
}
