// The proxy fleet of one environment. Its ImageTag parameter is the only thing a rollout changes.
import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import type { Construct } from 'constructs';
import {
  type Allowlist,
  availabilityZones,
  cpuAlarmPercent,
  type Environment,
  type Scaling,
  type Service,
} from '../../src/config/model.ts';
import { IMAGE_TAG_PARAMETER, IMAGE_TAG_PATTERN } from '../../src/contract/image-tags.ts';
import { fleetNames, repositoryName } from '../../src/contract/names.ts';
import { INGRESS_OUTPUTS, serviceNetworkEndpointOutput } from '../../src/contract/outputs.ts';
import { clientSources } from '../constructs/client-sources.ts';
import { DirectClientDns } from '../constructs/direct-client-dns.ts';
import { Dns } from '../constructs/dns.ts';
import { serviceNetworkEndpointWidgets } from '../constructs/endpoint-widgets.ts';
import { type Exposure, IngressLoadBalancers } from '../constructs/ingress-load-balancers.ts';
import { LatticeAssociation } from '../constructs/lattice-association.ts';
import { LatticePrefixLists } from '../constructs/lattice-prefix-lists.ts';
import { Network } from '../constructs/network.ts';
import { Observability } from '../constructs/observability.ts';
import { ProxyService } from '../constructs/proxy-service.ts';
import { RevocationAcl } from '../constructs/revocation-acl.ts';
import { endpointNetworks, ServiceNetworkEndpoints } from '../constructs/service-network-endpoints.ts';

export interface IngressStackProps extends StackProps {
  environment: Environment;
  allowlist: Allowlist;
  services: readonly Service[];
  scaling: Scaling;
  /** Service network to associate the VPC with when the environment configures none (the example provider's). */
  fallbackServiceNetworkId?: string;
}

export const EXPOSURES: Record<Environment['mode'], readonly Exposure[]> = {
  public: ['public'],
  private: ['private'],
  both: ['public', 'private'],
};

export class IngressStack extends Stack {
  private readonly zones: string[];

  constructor(scope: Construct, id: string, props: IngressStackProps) {
    super(scope, id, props);
    const env = props.environment;
    this.zones = availabilityZones(env);
    const fleet = fleetNames(env);
    const exposures = EXPOSURES[env.mode];

    const imageTag = new CfnParameter(this, IMAGE_TAG_PARAMETER, {
      type: 'String',
      description: 'Proxy image tag in the environment repository: git-<commit sha> or cfg-<content hash>',
      allowedPattern: IMAGE_TAG_PATTERN,
      constraintDescription: 'must be git-<40 hex digit commit sha> or cfg-<64 hex digit content hash>',
    });

    const network = new Network(this, 'Network', {
      cidr: env.vpcCidr,
      availabilityZones: this.zones,
      availabilityZoneIds: env.availabilityZoneIds,
      publicSubnets: exposures.includes('public'),
      dualStack: env.dualStack,
      ecsExec: env.ecsExec,
      logRetention: env.logRetentionDays,
      transitGateway: env.network,
    });

    const { loadBalancers } = new IngressLoadBalancers(this, 'LoadBalancers', {
      vpc: network.vpc,
      exposures,
      subnets: { public: network.publicSubnets, private: network.proxySubnets },
      clients: clientSources(props.allowlist, env.dualStack),
      crossZone: env.crossZoneLoadBalancing,
      dualStack: env.dualStack,
    });

    const revocations = new RevocationAcl(this, 'Revocations', {
      vpc: network.vpc,
      subnets: [network.proxySubnets, ...(network.publicSubnets ? [network.publicSubnets] : [])],
      dualStack: env.dualStack,
      environmentName: env.name,
    });

    // Imported by name: the Registry stack owns the repository, and the stacks stay loosely coupled.
    const repository = ecr.Repository.fromRepositoryName(this, 'Repository', repositoryName(env));
    const proxy = new ProxyService(this, 'Proxy', {
      vpc: network.vpc,
      subnets: network.proxySubnets,
      clusterName: fleet.cluster,
      serviceName: fleet.service,
      logGroupName: fleet.logGroup,
      logRetention: env.logRetentionDays,
      repository,
      imageTag: imageTag.valueAsString,
      scaling: props.scaling,
      ecsExec: env.ecsExec,
      dualStack: env.dualStack,
      loadBalancers,
      latticePrefixLists: new LatticePrefixLists(this, 'LatticePrefixLists', {
        dualStack: env.dualStack,
        logRetention: env.logRetentionDays,
      }),
      pullsThrough: network.endpoints,
    });

    const serviceNetworkId = env.serviceNetworkId ?? props.fallbackServiceNetworkId;
    if (serviceNetworkId) {
      new LatticeAssociation(this, 'Lattice', {
        vpc: network.vpc,
        serviceNetworkId,
        clientSecurityGroup: proxy.securityGroup,
      });
    }

    const { endpoints } = new ServiceNetworkEndpoints(this, 'ServiceNetworkEndpoints', {
      vpc: network.vpc,
      subnets: network.proxySubnets,
      networks: endpointNetworks(env, props.services),
      proxySecurityGroup: proxy.securityGroup,
      dualStack: env.dualStack,
    });
    const directClientDns =
      env.directClients &&
      new DirectClientDns(this, 'DirectClientDns', {
        vpc: network.vpc,
        subnets: network.proxySubnets,
        clientCidrs: env.directClients.cidrs,
        name: `lattice-ingress-${env.name}-direct-clients`,
      });

    const observability = new Observability(this, 'Observability', {
      environmentName: env.name,
      alarms: env.alarms,
      cpuAlarmPercent: cpuAlarmPercent(env.alarms, props.scaling),
      maxTasks: props.scaling.maxTasks,
      logGroup: proxy.logGroup,
      flowLogGroup: network.flowLogGroup,
      cluster: proxy.cluster,
      service: proxy.service,
      loadBalancers,
      latticeServices: serviceNetworkId ? props.services : [],
    });
    if (endpoints.length > 0) observability.dashboard.addWidgets(...serviceNetworkEndpointWidgets(endpoints));

    const byExposure = (exposure: Exposure) =>
      loadBalancers.find((lb) => lb.exposure === exposure)?.loadBalancer;
    new Dns(this, 'Dns', {
      vpc: network.vpc,
      environmentName: env.name,
      services: props.services,
      published: (['public', 'private'] as const).flatMap((exposure) => {
        const zone = env.hostedZones?.[exposure];
        return zone ? [{ zone, exposure, loadBalancer: byExposure(exposure) }] : [];
      }),
      dualStack: env.dualStack,
    });

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description });
    const publicLb = byExposure('public');
    const privateLb = byExposure('private');
    if (publicLb) {
      output(INGRESS_OUTPUTS.publicEndpoint, publicLb.loadBalancerDnsName, 'Internet-facing NLB DNS name');
    }
    if (privateLb) {
      output(INGRESS_OUTPUTS.privateEndpoint, privateLb.loadBalancerDnsName, 'Internal NLB DNS name');
    }
    output(INGRESS_OUTPUTS.cluster, proxy.cluster.clusterName, 'ECS cluster of the proxy fleet');
    output(INGRESS_OUTPUTS.service, proxy.service.serviceName, 'ECS service of the proxy fleet');
    output(INGRESS_OUTPUTS.repositoryUri, repository.repositoryUri, 'Repository the images come from');
    output(INGRESS_OUTPUTS.imageTag, imageTag.valueAsString, 'Image tag the service runs');
    output(INGRESS_OUTPUTS.logGroup, proxy.logGroup.logGroupName, 'Proxy access and error logs');
    output(INGRESS_OUTPUTS.vpcId, network.vpc.vpcId, 'Ingress VPC');
    output(
      INGRESS_OUTPUTS.revocationAclId,
      revocations.acl.networkAclId,
      'Network ACL that carries break-glass revocations (lattice-ingress revoke)',
    );
    output(
      INGRESS_OUTPUTS.proxyRouteTableIds,
      network.proxyRouteTableIds.join(','),
      'Route tables of the proxy subnets (internal NLB): routes to client networks go here',
    );
    for (const { networkId, endpoint } of endpoints) {
      output(
        serviceNetworkEndpointOutput(networkId),
        endpoint.ref,
        `Service-network endpoint for ${networkId}: its names per service come from aws ec2 describe-vpc-endpoint-associations`,
      );
    }
    if (directClientDns) {
      output(
        INGRESS_OUTPUTS.directClientResolverAddresses,
        directClientDns.addresses.join(','),
        'Route 53 Resolver inbound endpoint for direct clients: forward their Lattice and custom domain names here',
      );
    }
  }

  /** The configured zones: with an explicit account and Region, CDK would otherwise look them up in the account. */
  override get availabilityZones(): string[] {
    return this.zones;
  }
}
