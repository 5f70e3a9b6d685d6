// Service-network VPC endpoints: a VPC is associated with one service network, and every further network (and every
// network direct clients reach without the proxy) gets an endpoint in the proxy subnets of each zone. Each endpoint
// has a security group of its own that admits the proxy tasks on the ports of the services behind it and the
// configured direct-client networks on 80 and 443, nothing else.
//
// AWS CloudFormation, AWS::EC2::VPCEndpoint: VpcEndpointType ServiceNetwork with ServiceNetworkArn (an ARN, also for
// a network of the same account); DnsOptions.PrivateDnsPreference decides which custom domain names get a private
// hosted zone in the VPC. An endpoint takes a /28 of IPv4 (and a /80 of IPv6) in each subnet.
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import {
  type Environment,
  type Port,
  type Service,
  serviceNetworkIdOf,
  serviceNetworkPath,
} from '../../src/config/model.ts';

/** One endpoint: the network it reaches and who may use it. */
export interface EndpointNetwork {
  /** As configured: an sn-… ID, or the ARN of a network shared through AWS RAM. */
  network: string;
  /** Ports of the services the proxy forwards to in this network (empty: the proxy does not use the endpoint). */
  proxyPorts: readonly Port[];
  /** Client networks that use the endpoint directly (directClients). */
  clientCidrs: readonly string[];
}

/** The endpoints an environment needs, one per network (by ID), in the order the networks are first listed. */
export function endpointNetworks(env: Environment, services: readonly Service[]): EndpointNetwork[] {
  const byId = new Map<string, EndpointNetwork>();
  const add = (network: string, clientCidrs: readonly string[]) => {
    const id = serviceNetworkIdOf(network);
    const known = byId.get(id);
    if (known) known.clientCidrs = [...known.clientCidrs, ...clientCidrs];
    else byId.set(id, { network, proxyPorts: [], clientCidrs });
  };
  for (const network of env.serviceNetworkEndpoints ?? []) add(network, []);
  for (const network of env.directClients?.serviceNetworks ?? [])
    add(network, env.directClients?.cidrs ?? []);
  for (const [id, endpoint] of byId) {
    // The proxy uses an endpoint only for networks it has no association with.
    if (serviceNetworkPath(env, endpoint.network) !== 'endpoint') continue;
    const ports = services
      .filter((service) => service.serviceNetwork && serviceNetworkIdOf(service.serviceNetwork) === id)
      .flatMap((service) => service.ports);
    endpoint.proxyPorts = [...new Set(ports)].sort((a, b) => a - b);
  }
  return [...byId.values()];
}

export interface ServiceNetworkEndpointsProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  networks: readonly EndpointNetwork[];
  proxySecurityGroup: ec2.SecurityGroup;
  dualStack: boolean;
}

export interface CreatedEndpoint {
  networkId: string;
  endpoint: ec2.CfnVPCEndpoint;
  securityGroup: ec2.SecurityGroup;
}

export class ServiceNetworkEndpoints extends Construct {
  readonly endpoints: CreatedEndpoint[];

  constructor(scope: Construct, id: string, props: ServiceNetworkEndpointsProps) {
    super(scope, id);
    const subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    this.endpoints = props.networks.map((network) => {
      const networkId = serviceNetworkIdOf(network.network);
      // Named after the network: reordering the list replaces nothing.
      const scope = new Construct(this, networkId);
      const securityGroup = new ec2.SecurityGroup(scope, 'SecurityGroup', {
        vpc: props.vpc,
        description: `Service-network endpoint for ${networkId}: the proxy tasks on the ports of its services, direct clients on 80 and 443`,
        allowAllOutbound: false,
      });
      for (const port of network.proxyPorts) {
        securityGroup.addIngressRule(
          props.proxySecurityGroup,
          ec2.Port.tcp(port),
          `${port} from the proxy tasks`,
        );
        props.proxySecurityGroup.addEgressRule(
          securityGroup,
          ec2.Port.tcp(port),
          `${port} to the endpoint for ${networkId}`,
        );
      }
      for (const cidr of network.clientCidrs) {
        const peer = cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
        for (const port of [80, 443]) {
          securityGroup.addIngressRule(peer, ec2.Port.tcp(port), `${port} from direct clients ${cidr}`);
        }
      }
      const endpoint = new ec2.CfnVPCEndpoint(scope, 'Endpoint', {
        vpcEndpointType: 'ServiceNetwork',
        serviceNetworkArn: network.network.startsWith('arn:')
          ? network.network
          : Stack.of(this).formatArn({
              service: 'vpc-lattice',
              resource: 'servicenetwork',
              resourceName: networkId,
            }),
        vpcId: props.vpc.vpcId,
        subnetIds,
        securityGroupIds: [securityGroup.securityGroupId],
        ipAddressType: props.dualStack ? 'dualstack' : 'ipv4',
        // Custom domain names resolve inside the VPC only where the service's provider verified them.
        privateDnsEnabled: true,
        dnsOptions: { privateDnsPreference: 'VERIFIED_DOMAINS_ONLY' },
      });
      return { networkId, endpoint, securityGroup };
    });
  }
}
