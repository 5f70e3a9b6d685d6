// Associates the ingress VPC with a Lattice service network; its security group admits only the proxy tasks.
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { Construct } from 'constructs';

export interface LatticeAssociationProps {
  vpc: ec2.IVpc;
  serviceNetworkId: string;
  /** The proxy tasks' group: the only traffic the association admits (IPv4 and IPv6 alike). */
  clientSecurityGroup: ec2.ISecurityGroup;
}

export class LatticeAssociation extends Construct {
  readonly securityGroup: ec2.SecurityGroup;
  readonly association: vpclattice.CfnServiceNetworkVpcAssociation;

  constructor(scope: Construct, id: string, props: LatticeAssociationProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'Lattice service network association: HTTP and HTTPS from the proxy tasks only',
      allowAllOutbound: false,
    });
    for (const port of [80, 443]) {
      this.securityGroup.addIngressRule(
        props.clientSecurityGroup,
        ec2.Port.tcp(port),
        `${port} from the proxy tasks`,
      );
    }
    this.association = new vpclattice.CfnServiceNetworkVpcAssociation(this, 'Association', {
      serviceNetworkIdentifier: props.serviceNetworkId,
      vpcIdentifier: props.vpc.vpcId,
      securityGroupIds: [this.securityGroup.securityGroupId],
    });
  }
}
