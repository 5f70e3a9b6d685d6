// The NGINX fleet: ECS cluster, Fargate task definition (ARM64, non-root, read-only root filesystem) and a service
// that replaces tasks all at once behind the load balancers and rolls itself back when new tasks fail.
import { Duration, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
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
      desiredCount: props.scaling.desiredTasks ?? props.scaling.minTasks,
      minHealthyPercent: ROLLOUT_SETTINGS.minHealthyPercent,
      maxHealthyPercent: ROLLOUT_SETTINGS.maxHealthyPercent,
      circuitBreaker: { enable: true, rollback: true },
      healthCheckGracePeriod: ROLLOUT_SETTINGS.healthCheckGracePeriod,
      enableExecuteCommand: props.ecsExec,
      platformVersion: ecs.FargatePlatformVersion.LATEST,
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });

    for (const { securityGroup, targetGroups } of props.loadBalancers) {
      // Only the load balancers reach the proxy ports: nothing else in the VPC can forge a PROXY header.
      for (const port of LOAD_BALANCER_CONTAINER_PORTS) {
        this.securityGroup.connections.allowFrom(
          securityGroup,
          ec2.Port.tcp(port),
          `from the NLB on ${port}`,
        );
      }
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

function volumeName(path: string): string {
  return `writable${path.replace(/\//g, '-')}`;
}
