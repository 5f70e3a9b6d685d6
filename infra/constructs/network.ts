// The ingress VPC: subnets carved from one CIDR over three AZs, no NAT, and only the VPC endpoints the tasks use.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SUBNET_PREFIX_BITS } from '../../src/config/model.ts';
import { acknowledge } from '../nag.ts';

export interface NetworkProps {
  cidr: string;
  availabilityZones: string[];
  /** Zone IDs, in the order of availabilityZones: each subnet is placed by ID instead of by (per-account) name. */
  availabilityZoneIds?: readonly string[];
  /** Public subnets (and an internet gateway) exist only for an internet-facing load balancer. */
  publicSubnets: boolean;
  dualStack: boolean;
  /** Adds the SSM messages endpoint ECS Exec talks through. */
  ecsExec: boolean;
  logRetention: logs.RetentionDays;
  /** Attach the VPC to a Transit Gateway and route these client networks through it. */
  transitGateway?: NetworkRoutes;
}

/** Tiers in allocation order: the proxy tier comes first so adding or removing public subnets never renumbers it. */
const PROXY_TIER = 'Proxy';
const PUBLIC_TIER = 'Public';

/**
 * Subnet size for a VPC prefix: three AZs times two tiers need six of eight equal slices (3 bits). The size does not
 * depend on the mode, so switching between private and both adds subnets without replacing the existing ones.
 */
export function subnetCidrMask(vpcCidr: string): number {
  const prefix = Number(vpcCidr.split('/')[1]);
  if (!Number.isInteger(prefix) || prefix < 16 || prefix > 24) {
    throw new Error(`vpcCidr ${vpcCidr}: the prefix length must be between /16 and /24`);
  }
  return prefix + SUBNET_PREFIX_BITS;
}

export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Where the tasks and the internal load balancer live: isolated, no route to the internet. */
  readonly proxySubnets: ec2.SubnetSelection = { subnetGroupName: PROXY_TIER };
  readonly publicSubnets?: ec2.SubnetSelection;
  readonly endpointSecurityGroup: ec2.SecurityGroup;
  /** Every VPC endpoint: the tasks pull their image (ECR API, ECR Docker, S3) and ship their logs through them. */
  readonly endpoints: ec2.IVpcEndpoint[] = [];
  /** Every flow of the VPC, accepted and rejected: where a client the security group or network ACL drops shows. */
  readonly flowLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const cidrMask = subnetCidrMask(props.cidr);
    const subnetConfiguration: ec2.SubnetConfiguration[] = [
      { name: PROXY_TIER, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask },
    ];
    if (props.publicSubnets) {
      subnetConfiguration.push({
        name: PUBLIC_TIER,
        subnetType: ec2.SubnetType.PUBLIC,
        cidrMask,
        mapPublicIpOnLaunch: false,
      });
      this.publicSubnets = { subnetGroupName: PUBLIC_TIER };
    }
    this.flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: props.logRetention });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(props.cidr),
      availabilityZones: props.availabilityZones,
      natGateways: 0,
      subnetConfiguration,
      ipProtocol: props.dualStack ? ec2.IpProtocol.DUAL_STACK : ec2.IpProtocol.IPV4_ONLY,
      enableDnsHostnames: true,
      enableDnsSupport: true,
      flowLogs: {
        All: {
          destination: ec2.FlowLogDestination.toCloudWatchLogs(this.flowLogGroup),
          trafficType: ec2.FlowLogTrafficType.ALL,
          maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.TEN_MINUTES,
        },
      },
    });

    if (props.availabilityZoneIds) this.placeByZoneId(props.availabilityZones, props.availabilityZoneIds);

    acknowledge(
      this.vpc,
      'The zones are configured (or derived from the Region) on purpose: synth must work offline, without the ' +
        'account lookup that picking zones at deploy time would need.',
      'CloudFormation-Validate::W3010',
    );

    // One group for every interface endpoint: HTTPS from inside the VPC, nothing else. The endpoints are IPv4-only
    // (their default), so the tasks reach them over IPv4 even in a dual-stack VPC.
    this.endpointSecurityGroup = new ec2.SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'VPC interface endpoints: HTTPS from the ingress VPC only',
      allowAllOutbound: false,
    });
    this.endpointSecurityGroup.addIngressRule(
      ec2.Peer.ipv4(props.cidr),
      ec2.Port.tcp(443),
      'HTTPS from the ingress VPC',
    );
    const services = [
      ec2.InterfaceVpcEndpointAwsService.ECR,
      ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
      ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
      ...(props.ecsExec ? [ec2.InterfaceVpcEndpointAwsService.SSM_MESSAGES] : []),
    ];
    for (const service of services) {
      const endpoint = this.vpc.addInterfaceEndpoint(endpointId(service.shortName), {
        service,
        subnets: this.proxySubnets,
        securityGroups: [this.endpointSecurityGroup],
        open: false,
        privateDnsEnabled: true,
      });
      this.endpoints.push(endpoint);
    }
    if (props.transitGateway) this.attachTransitGateway(props.transitGateway);

    // Image layers come from S3; the gateway endpoint is free and needs no security group.
    this.endpoints.push(
      this.vpc.addGatewayEndpoint('S3Endpoint', {
        service: ec2.GatewayVpcEndpointAwsService.S3,
        subnets: [this.proxySubnets],
      }),
    );
  }

  /** CloudFormation takes AvailabilityZoneId in place of AvailabilityZone; the VPC construct knows only names. */
  private placeByZoneId(names: readonly string[], ids: readonly string[]): void {
    for (const subnet of [...this.vpc.isolatedSubnets, ...this.vpc.publicSubnets]) {
      const cfnSubnet = subnet.node.defaultChild as ec2.CfnSubnet;
      cfnSubnet.addPropertyDeletionOverride('AvailabilityZone');
      cfnSubnet.addPropertyOverride('AvailabilityZoneId', ids[names.indexOf(subnet.availabilityZone)]);
    }
  }

  /** Route tables of the proxy subnets, where the tasks and the internal load balancer live. */
  get proxyRouteTableIds(): string[] {
    return this.vpc.selectSubnets(this.proxySubnets).subnets.map((subnet) => subnet.routeTable.routeTableId);
  }

  /**
   * The internal load balancer answers clients through the proxy subnets' route tables: without a route back to the
   * client networks, nothing outside the VPC can reach it. One attachment in the proxy subnets, one route per client
   * network in each of their route tables (named after the network, so reordering the list replaces nothing).
   */
  private attachTransitGateway({ transitGatewayId, routes }: NetworkRoutes) {
    const subnets = this.vpc.selectSubnets(this.proxySubnets);
    const attachment = new ec2.CfnTransitGatewayAttachment(this, 'TransitGatewayAttachment', {
      transitGatewayId,
      vpcId: this.vpc.vpcId,
      subnetIds: subnets.subnetIds,
    });
    for (const subnet of subnets.subnets) {
      for (const destination of routes) {
        const route = new ec2.CfnRoute(subnet, `TransitGatewayRoute${destination.replace(/[./:]/g, '-')}`, {
          routeTableId: subnet.routeTable.routeTableId,
          transitGatewayId,
          ...(destination.includes(':')
            ? { destinationIpv6CidrBlock: destination }
            : { destinationCidrBlock: destination }),
        });
        // A route to a Transit Gateway is refused until the VPC's attachment to it exists.
        route.addResourceDependency(attachment);
      }
    }
  }
}

export interface NetworkRoutes {
  transitGatewayId: string;
  routes: readonly string[];
}

function endpointId(shortName: string): string {
  const words = shortName.split(/[.-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1));
  return `${words.join('')}Endpoint`;
}
