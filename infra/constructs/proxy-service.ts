// The NGINX fleet: ECS cluster, Fargate task definition (ARM64, non-root, read-only root filesystem) and a service
// that replaces tasks all at once behind the load balancers and rolls itself back when new tasks fail.
import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct, type IDependable } from 'constructs';
import type { Scaling } from '../../src/config/model.ts';
import { HEALTH_CHECK_PATH, PROXY_CONTAINER_PORTS } from '../../src/contract/proxy-container.ts';
import { acknowledge, belowArnFinding, wildcardFinding } from '../nag.ts';
import { ROLLOUT_SETTINGS } from '../rollout-settings.ts';
import { type IngressLoadBalancer, LOAD_BALANCER_CONTAINER_PORTS } from './ingress-load-balancers.ts';

/** The image's `USER` (uid 101 of nginx-unprivileged, proxy/Dockerfile), restated so a root image cannot run. */
export const PROXY_USER = '101';

/**
 * Where NGINX writes (pid file, temp files) while the root filesystem is read-only. Fargate has no tmpfs, so each is
 * a task volume (ephemeral bind mount); proxy/Dockerfile declares the same path as a VOLUME owned by uid 101, and
 * ECS fills the empty volume from the image's directory, ownership included.
 */
export const WRITABLE_PATHS = ['/tmp/nginx'] as const;

export const CONTAINER_NAME = 'proxy';

/**
 * The same probe as proxy/Dockerfile's HEALTHCHECK (the NGINX image ships curl): plain HTTP to the health listener
 * that nginx binds to loopback, since only the task itself calls it.
 */
export const CONTAINER_HEALTH_CHECK = [
  'CMD',
  'curl',
  '-fsS',
  '-o',
  '/dev/null',
  `http://127.0.0.1:${PROXY_CONTAINER_PORTS.health}${HEALTH_CHECK_PATH}`,
];

export interface ProxyServiceProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  clusterName: string;
  serviceName: string;
  logGroupName: string;
  logRetention: logs.RetentionDays;
  repository: ecr.IRepository;
  /** Tag of the image in `repository` (the ImageTag stack parameter). */
  imageTag: string;
  scaling: Scaling;
  ecsExec: boolean;
  dualStack: boolean;
  loadBalancers: readonly IngressLoadBalancer[];
  /** VPC Lattice's managed prefix lists, where the proxy sends traffic for the services it forwards to. */
  latticePrefixLists: { ipv4: string; ipv6?: string };
  /** What the tasks pull their image and write their logs through (VPC endpoints): in place before a task starts. */
  pullsThrough: readonly IDependable[];
}

export class ProxyService extends Construct {
  readonly cluster: ecs.Cluster;
  readonly service: ecs.FargateService;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ProxyServiceProps) {
    super(scope, id);
    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc,
      clusterName: props.clusterName,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: props.logRetention,
      // Kept when the stack is deleted, but deleted when the stack's first create fails: the fixed name would
      // otherwise still be taken when the operator deletes the ROLLBACK_COMPLETE stack and deploys again.
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Task', {
      cpu: props.scaling.taskCpu,
      memoryLimitMiB: props.scaling.taskMemoryMiB,
      runtimePlatform: {
        cpuArchitecture: ecs.CpuArchitecture.ARM64,
        operatingSystemFamily: ecs.OperatingSystemFamily.LINUX,
      },
      volumes: WRITABLE_PATHS.map((path) => ({ name: volumeName(path) })),
    });
    const container = taskDefinition.addContainer(CONTAINER_NAME, {
      image: ecs.ContainerImage.fromEcrRepository(props.repository, props.imageTag),
      user: PROXY_USER,
      readonlyRootFilesystem: true,
      essential: true,
      portMappings: LOAD_BALANCER_CONTAINER_PORTS.map((containerPort) => ({
        containerPort,
        protocol: ecs.Protocol.TCP,
      })),
      healthCheck: {
        command: CONTAINER_HEALTH_CHECK,
        ...ROLLOUT_SETTINGS.containerHealthCheck,
      },
      stopTimeout: ROLLOUT_SETTINGS.stopTimeout,
      logging: ecs.LogDrivers.awsLogs({
        logGroup: this.logGroup,
        streamPrefix: 'proxy',
        // A slow log endpoint must never stall NGINX; drop log lines instead of blocking the worker.
        mode: ecs.AwsLogDriverMode.NON_BLOCKING,
        maxBufferSize: Size.mebibytes(25),
      }),
    });
    container.addMountPoints(
      ...WRITABLE_PATHS.map((containerPath) => ({
        sourceVolume: volumeName(containerPath),
        containerPath,
        readOnly: false,
      })),
    );

    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: props.vpc,
      description: 'Proxy tasks: proxy ports from the load balancers only; out to VPC endpoints and Lattice',
      allowAllOutbound: false,
    });
    this.allowOutbound(props.latticePrefixLists);

    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      serviceName: props.serviceName,
      taskDefinition,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      assignPublicIp: false,
      // No DesiredCount: CloudFormation would apply it on every service update and reset what autoscaling chose.
      minHealthyPercent: ROLLOUT_SETTINGS.minHealthyPercent,
      maxHealthyPercent: ROLLOUT_SETTINGS.maxHealthyPercent,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: ROLLOUT_SETTINGS.healthCheckGracePeriod,
      enableExecuteCommand: props.ecsExec,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    for (const dependency of props.pullsThrough) this.service.node.addDependency(dependency);
    this.setInitialTaskCount(props.scaling.desiredTasks ?? props.scaling.minTasks);

    for (const { securityGroup, targetGroups } of props.loadBalancers) {
      // Only the load balancers reach the proxy ports: nothing else in the VPC can forge a PROXY header.
      for (const port of LOAD_BALANCER_CONTAINER_PORTS) {
        this.securityGroup.addIngressRule(securityGroup, ec2.Port.tcp(port), `from the NLB on ${port}`);
      }
      allowEgressOnlyTo(securityGroup, this.securityGroup, LOAD_BALANCER_CONTAINER_PORTS);
      for (const { containerPort, targetGroup } of targetGroups) {
        targetGroup.addTarget(
          this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort }),
        );
      }
    }

    const scaling = this.service.autoScaleTaskCount({
      minCapacity: props.scaling.minTasks,
      maxCapacity: props.scaling.maxTasks,
    });
    scaling.scaleOnCpuUtilization('Cpu', {
      targetUtilizationPercent: props.scaling.cpuTargetPercent,
      scaleOutCooldown: Duration.seconds(props.scaling.scaleOutCooldownSeconds),
      scaleInCooldown: Duration.seconds(props.scaling.scaleInCooldownSeconds),
    });

    this.suppressFindings(taskDefinition, props.ecsExec);
  }

  /**
   * The task count right after the service is created. CloudFormation starts a service without DesiredCount with one
   * task, and Application Auto Scaling raises a count below MinCapacity only when a scale-out alarm fires; so the
   * count is set once, when the stack creates this resource, and never again by a stack update.
   */
  private setInitialTaskCount(count: number) {
    const initial = new cr.AwsCustomResource(this, 'InitialTaskCount', {
      onCreate: {
        service: 'ECS',
        action: 'UpdateService',
        parameters: {
          cluster: this.cluster.clusterName,
          service: this.service.serviceName,
          desiredCount: count,
        },
        physicalResourceId: cr.PhysicalResourceId.of('initial-task-count'),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.service.serviceArn] }),
      installLatestAwsSdk: false,
    });
    // The function is a stack-wide singleton; its role is the custom resource's grant principal.
    acknowledge(
      initial.grantPrincipal as iam.Role,
      'CDK gives the function behind AwsCustomResource the AWS managed Lambda basic execution policy (its own logs).',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
  }

  /** Egress by port, never "all traffic": VPC endpoints and S3 on 443, Lattice's prefix lists on 80 and 443. */
  private allowOutbound(lattice: { ipv4: string; ipv6?: string }) {
    // The subnets have no route to the internet, so 443 to anywhere reaches only the VPC endpoints and the S3
    // gateway endpoint (whose prefix list id cannot be known without a lookup).
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to VPC endpoints and S3');
    // Lattice by its managed prefix lists rather than a fixed range: AWS may add addresses to them.
    for (const [family, prefixList] of [
      ['IPv4', lattice.ipv4],
      ['IPv6', lattice.ipv6],
    ] as const) {
      if (!prefixList) continue;
      for (const port of [80, 443]) {
        this.securityGroup.addEgressRule(
          ec2.Peer.prefixList(prefixList),
          ec2.Port.tcp(port),
          `${port} to Lattice over ${family}`,
        );
      }
    }
  }

  private suppressFindings(taskDefinition: ecs.FargateTaskDefinition, ecsExec: boolean) {
    acknowledge(
      taskDefinition,
      'ecr:GetAuthorizationToken supports no resource-level permissions; log streams are created per task inside ' +
        'the proxy log group.' +
        (ecsExec ? ' ECS Exec: ssmmessages channels support no resource-level permissions.' : ''),
      wildcardFinding('*'),
      belowArnFinding(this.logGroup),
    );
  }
}

/**
 * Egress of `from` limited to `to` on `ports`, written into the group itself. CDK would add these as separate
 * SecurityGroupEgress resources and drop the group's own (placeholder) egress; a group created without egress rules
 * gets EC2's allow-all rule, which nothing would then remove.
 */
function allowEgressOnlyTo(from: ec2.SecurityGroup, to: ec2.SecurityGroup, ports: readonly number[]): void {
  const group = from.node.defaultChild as ec2.CfnSecurityGroup;
  group.addPropertyOverride(
    'SecurityGroupEgress',
    ports.map((port) => ({
      IpProtocol: 'tcp',
      FromPort: port,
      ToPort: port,
      DestinationSecurityGroupId: to.securityGroupId,
      Description: `to the proxy tasks on ${port}`,
    })),
  );
}

function volumeName(path: string): string {
  return `writable${path.replace(/\//g, '-')}`;
}
