// The Network Load Balancers in front of the fleet: one per exposure (public, private), each with its own security
// group, TCP listeners on 80 and 443 (TLS passes through) and IP target groups speaking PROXY protocol v2.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { HEALTH_CHECK_PATH, PROXY_CONTAINER_PORTS } from '../../src/contract/proxy-container.ts';
import { acknowledge } from '../nag.ts';
import { ROLLOUT_SETTINGS } from '../rollout-settings.ts';
import { type ClientSources, type FamilySources, PREFIX_LIST_MAX_ENTRIES } from './client-sources.ts';

export type Exposure = 'public' | 'private';

/** Listener port -> container port; 443 is TLS passthrough, so both are plain TCP at the load balancer. */
export const LISTENERS = [
  { name: 'Http', port: 80, containerPort: PROXY_CONTAINER_PORTS.http },
  { name: 'Tls', port: 443, containerPort: PROXY_CONTAINER_PORTS.tls },
] as const;

/**
 * Every container port the load balancers connect to: the listeners' targets and the health check port. Each
 * expects a PROXY protocol header, which health checks carry too (command LOCAL) once a target group has proxy
 * protocol on; the container's plain health port is reached from inside the task only.
 */
export const LOAD_BALANCER_CONTAINER_PORTS = [
  ...LISTENERS.map((listener) => listener.containerPort),
  PROXY_CONTAINER_PORTS.loadBalancerHealth,
] as const;

export interface IngressLoadBalancer {
  exposure: Exposure;
  loadBalancer: elbv2.NetworkLoadBalancer;
  securityGroup: ec2.SecurityGroup;
  /** One per listener, each registered with the proxy service on its container port. */
  targetGroups: { containerPort: number; targetGroup: elbv2.NetworkTargetGroup }[];
}

export interface IngressLoadBalancersProps {
  vpc: ec2.IVpc;
  exposures: readonly Exposure[];
  subnets: Record<Exposure, ec2.SubnetSelection | undefined>;
  clients: ClientSources;
  crossZone: boolean;
  dualStack: boolean;
}

export class IngressLoadBalancers extends Construct {
  readonly loadBalancers: IngressLoadBalancer[];

  constructor(scope: Construct, id: string, props: IngressLoadBalancersProps) {
    super(scope, id);
    const peers = this.clientPeers(props.clients);
    this.loadBalancers = props.exposures.map((exposure) => this.loadBalancer(exposure, peers, props));
  }

  /** The allowlist as security-group peers: prefix lists when small enough, else the whole family. */
  private clientPeers(clients: ClientSources): { peer: ec2.IPeer; what: string }[] {
    const peers: { peer: ec2.IPeer; what: string }[] = [];
    const add = (family: 'IPv4' | 'IPv6', sources: FamilySources | undefined) => {
      if (!sources || sources.kind === 'none') return;
      if (sources.kind === 'anywhere') {
        peers.push({
          peer: family === 'IPv4' ? ec2.Peer.anyIpv4() : ec2.Peer.anyIpv6(),
          what: `any ${family} address`,
        });
        return;
      }
      const prefixList = new ec2.PrefixList(this, `Allowlist${family}`, {
        addressFamily: family === 'IPv4' ? ec2.AddressFamily.IP_V4 : ec2.AddressFamily.IP_V6,
        maxEntries: PREFIX_LIST_MAX_ENTRIES,
        entries: sources.entries,
      });
      peers.push({ peer: ec2.Peer.prefixList(prefixList.prefixListId), what: `the ${family} allowlist` });
    };
    add('IPv4', clients.ipv4);
    add('IPv6', clients.ipv6);
    return peers;
  }

  private loadBalancer(
    exposure: Exposure,
    peers: { peer: ec2.IPeer; what: string }[],
    props: IngressLoadBalancersProps,
  ): IngressLoadBalancer {
    const name = exposure === 'public' ? 'Public' : 'Private';
    const subnets = props.subnets[exposure];
    if (!subnets) throw new Error(`no subnets for the ${exposure} load balancer`);
    const securityGroup = new ec2.SecurityGroup(this, `${name}SecurityGroup`, {
      vpc: props.vpc,
      description: `${exposure} NLB: listener ports from allowed clients; forwards only to the proxy tasks`,
      allowAllOutbound: false,
    });
    for (const { peer, what } of peers) {
      for (const listener of LISTENERS) {
        securityGroup.addIngressRule(peer, ec2.Port.tcp(listener.port), `${listener.port} from ${what}`);
      }
    }
    if (peers.some(({ what }) => what.startsWith('any'))) {
      acknowledge(
        securityGroup,
        'The allowlist is too large for a prefix list or admits any address by design; the proxy checks every ' +
          'client address from the PROXY protocol header against the allowlist and refuses the rest.',
        'AwsSolutions-EC23',
      );
    }

    const loadBalancer = new elbv2.NetworkLoadBalancer(this, name, {
      vpc: props.vpc,
      internetFacing: exposure === 'public',
      vpcSubnets: subnets,
      securityGroups: [securityGroup],
      crossZoneEnabled: props.crossZone,
      ipAddressType: props.dualStack ? elbv2.IpAddressType.DUAL_STACK : elbv2.IpAddressType.IPV4,
    });
    acknowledge(
      loadBalancer,
      'NLB access logs are written for TLS listeners only; these listeners are TCP (TLS passes through to the ' +
        'proxy), so there would be nothing to log. The proxy logs every connection with the client address.',
      'AwsSolutions-ELB2',
    );

    const targetGroups = LISTENERS.map((listener) => {
      const targetGroup = new elbv2.NetworkTargetGroup(this, `${name}${listener.name}Targets`, {
        vpc: props.vpc,
        port: listener.containerPort,
        protocol: elbv2.Protocol.TCP,
        targetType: elbv2.TargetType.IP,
        proxyProtocolV2: true,
        // The client address travels in the PROXY header; the tasks see the load balancer as the source, which is
        // what lets their security group admit only the load balancer's group.
        preserveClientIp: false,
        connectionTermination: true,
        deregistrationDelay: ROLLOUT_SETTINGS.deregistrationDelay,
        healthCheck: {
          enabled: true,
          protocol: elbv2.Protocol.HTTP,
          // Its own listener expecting the LOCAL PROXY header the NLB sends with each check; no allowlist there.
          port: String(PROXY_CONTAINER_PORTS.loadBalancerHealth),
          path: HEALTH_CHECK_PATH,
          healthyHttpCodes: '200',
          interval: ROLLOUT_SETTINGS.healthCheckInterval,
          timeout: ROLLOUT_SETTINGS.healthCheckTimeout,
          healthyThresholdCount: ROLLOUT_SETTINGS.healthyThreshold,
          unhealthyThresholdCount: ROLLOUT_SETTINGS.unhealthyThreshold,
        },
      });
      loadBalancer.addListener(`${listener.name}Listener`, {
        port: listener.port,
        protocol: elbv2.Protocol.TCP,
        defaultTargetGroups: [targetGroup],
      });
      return { containerPort: listener.containerPort, targetGroup };
    });
    return { exposure, loadBalancer, securityGroup, targetGroups };
  }
}
