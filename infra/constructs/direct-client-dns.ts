// DNS for clients that use the service-network endpoints directly (directClients): a Route 53 Resolver inbound
// endpoint in the proxy subnets, so an on-premises or peered resolver can forward the Lattice and custom domain names
// to the VPC's resolver, which answers with the endpoints' addresses. DNS (53, UDP and TCP) from the configured
// client networks only. The addresses are fixed (the last usable one of each subnet) so that they are known at synth
// and clients can configure their forwarders before the stack is deployed.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53resolver from 'aws-cdk-lib/aws-route53resolver';
import { Construct } from 'constructs';
import { formatIpv4, requireCanonicalCidr } from '../../src/config/cidr.ts';

/** The last address of a subnet that AWS does not reserve (it keeps the first four and the last one). */
export function resolverAddress(subnetCidr: string): string {
  return formatIpv4(requireCanonicalCidr(subnetCidr).last - 1n);
}

export interface DirectClientDnsProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  clientCidrs: readonly string[];
  name: string;
}

export class DirectClientDns extends Construct {
  readonly resolver: route53resolver.CfnResolverEndpoint;
  /** The inbound endpoint's addresses, one per zone: where client resolvers forward to. */
  readonly addresses: string[];

  constructor(scope: Construct, id: string, props: DirectClientDnsProps) {
    super(scope, id);
    const securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Route 53 Resolver inbound endpoint: DNS from the direct-client networks only',
      allowAllOutbound: false,
    });
    for (const cidr of props.clientCidrs) {
      const peer = cidr.includes(':') ? ec2.Peer.ipv6(cidr) : ec2.Peer.ipv4(cidr);
      securityGroup.addIngressRule(peer, ec2.Port.udp(53), `DNS (UDP) from ${cidr}`);
      securityGroup.addIngressRule(peer, ec2.Port.tcp(53), `DNS (TCP) from ${cidr}`);
    }
    const subnets = props.vpc.selectSubnets(props.subnets).subnets;
    this.addresses = subnets.map((subnet) => resolverAddress(subnet.ipv4CidrBlock));
    this.resolver = new route53resolver.CfnResolverEndpoint(this, 'Inbound', {
      direction: 'INBOUND',
      name: props.name,
      securityGroupIds: [securityGroup.securityGroupId],
      ipAddresses: subnets.map((subnet, i) => ({ subnetId: subnet.subnetId, ip: this.addresses[i] })),
    });
  }
}
