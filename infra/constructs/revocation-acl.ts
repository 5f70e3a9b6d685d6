// The network ACL of the load balancers' subnets: allow-all, behind a block of rule numbers reserved for
// break-glass denies (`lattice-ingress revoke`). The denies are written at run time, not by CloudFormation, so a
// revocation takes seconds and survives any image rollback; a deployment lifts them once the allowlist no longer
// admits the range (src/access/revocation.ts).
import { Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ALLOW_ALL_RULE } from '../../src/access/revocation.ts';
import { acknowledge } from '../nag.ts';

export interface RevocationAclProps {
  vpc: ec2.IVpc;
  /** Every subnet a load balancer node lives in. */
  subnets: ec2.SubnetSelection[];
  dualStack: boolean;
  environmentName: string;
}

/** Tag that names the environment whose revocations an ACL carries. */
export const REVOCATION_ACL_TAG = 'lattice-ingress:revocations';

export class RevocationAcl extends Construct {
  readonly acl: ec2.NetworkAcl;

  constructor(scope: Construct, id: string, props: RevocationAclProps) {
    super(scope, id);
    this.acl = new ec2.NetworkAcl(this, 'Acl', { vpc: props.vpc });
    props.subnets.forEach((selection, i) => {
      this.acl.associateWithSubnet(`Subnets${i}`, selection);
    });
    Tags.of(this.acl).add(REVOCATION_ACL_TAG, props.environmentName);
    acknowledge(
      this,
      'The ACL allows everything; it exists so break-glass denies, which end tracked connections as a security ' +
        'group change cannot, can be added in seconds. Access control stays with the security groups and the proxy.',
      'AwsSolutions-VPC3',
    );
    const families = props.dualStack
      ? ([
          ['ipv4', ec2.AclCidr.anyIpv4()],
          ['ipv6', ec2.AclCidr.anyIpv6()],
        ] as const)
      : ([['ipv4', ec2.AclCidr.anyIpv4()]] as const);
    for (const [family, cidr] of families) {
      for (const direction of [ec2.TrafficDirection.INGRESS, ec2.TrafficDirection.EGRESS]) {
        const name = `${direction === ec2.TrafficDirection.INGRESS ? 'In' : 'Out'}${family}`;
        this.acl.addEntry(`Allow${name}`, {
          ruleNumber: ALLOW_ALL_RULE[family],
          cidr,
          traffic: ec2.AclTraffic.allTraffic(),
          direction,
          ruleAction: ec2.Action.ALLOW,
        });
      }
    }
  }
}
