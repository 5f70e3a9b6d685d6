// Optional managed DNS: service names inside the ingress VPC resolve to their Lattice names, and the public and
// private zones the user names point each service at the load balancer clients reach it through.

import { Annotations, Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { endpointDomain, type Service } from '../../src/config/model.ts';

export interface ZoneRef {
  id: string;
  name: string;
}

export interface DnsProps {
  vpc: ec2.IVpc;
  environmentName: string;
  services: readonly Service[];
  /** Zones the user owns, each with the load balancer its records point at (absent when the mode has none). */
  published: { zone: ZoneRef; loadBalancer?: elbv2.INetworkLoadBalancer; exposure: string }[];
  dualStack: boolean;
}

/** Services whose client-facing name differs from the Lattice name, grouped by the zone they are published in. */
export function latticeAliases(
  services: readonly Service[],
  environmentName?: string,
): Map<string, { domain: string; target: string }[]> {
  const zones = new Map<string, { domain: string; target: string }[]>();
  for (const service of services) {
    // Behind a service-network endpoint, the name that works from this VPC is the endpoint's name for the service.
    const target =
      (environmentName === undefined ? undefined : endpointDomain(service, environmentName)) ??
      service.latticeDomain;
    if (!target || target === service.domain) continue;
    // A CNAME cannot sit at a zone apex, so each name lives in a zone named after its parent domain.
    const parent = service.domain.slice(service.domain.indexOf('.') + 1);
    const records = zones.get(parent) ?? [];
    records.push({ domain: service.domain, target });
    zones.set(parent, records);
  }
  return zones;
}

/** True when `domain` is `zone` or a name below it. */
export function inZone(domain: string, zone: string): boolean {
  return domain === zone || domain.endsWith(`.${zone}`);
}

export class Dns extends Construct {
  constructor(scope: Construct, id: string, props: DnsProps) {
    super(scope, id);
    let zoneIndex = 0;
    for (const [zoneName, records] of latticeAliases(props.services, props.environmentName)) {
      const zone = new route53.PrivateHostedZone(this, `LatticeNames${zoneIndex++}`, {
        zoneName,
        vpc: props.vpc,
        comment: `Service names of ${zoneName} mapped to their Lattice names, inside the ingress VPC`,
      });
      for (const record of records) {
        new route53.CnameRecord(this, `Lattice-${record.domain}`, {
          zone,
          recordName: record.domain,
          domainName: record.target,
          ttl: Duration.minutes(5),
        });
      }
    }

    for (const { zone: ref, loadBalancer, exposure } of props.published) {
      if (!loadBalancer) {
        Annotations.of(this).addWarningV2(
          `lattice-ingress:dns-${exposure}`,
          `hostedZones.${exposure} is set but this mode has no ${exposure} load balancer; no records are created in ${ref.name}`,
        );
        continue;
      }
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, `${exposure}Zone`, {
        hostedZoneId: ref.id,
        zoneName: ref.name,
      });
      const target = route53.RecordTarget.fromAlias(new targets.LoadBalancerTarget(loadBalancer));
      for (const service of props.services) {
        if (!inZone(service.domain, ref.name)) continue;
        const recordName = `${service.domain}.`;
        new route53.ARecord(this, `${exposure}-${service.domain}-A`, { zone, recordName, target });
        if (props.dualStack) {
          new route53.AaaaRecord(this, `${exposure}-${service.domain}-AAAA`, { zone, recordName, target });
        }
      }
    }
  }
}
