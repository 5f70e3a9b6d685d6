// The AWS-managed prefix lists of VPC Lattice in the stack's Region. Their IDs differ per Region and account view,
// so they are looked up at deploy time by a custom resource (ec2:DescribeManagedPrefixLists by name): `cdk synth`
// stays offline and needs no context lookup.
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { acknowledge, belowArnFinding, wildcardFinding } from '../nag.ts';

/** The managed prefix list names (Amazon VPC Lattice User Guide, "Manage the security groups of a VPC association"). */
export function latticePrefixListNames(region: string) {
  return {
    ipv4: `com.amazonaws.${region}.vpc-lattice`,
    ipv6: `com.amazonaws.${region}.ipv6.vpc-lattice`,
  } as const;
}

export interface LatticePrefixListsProps {
  dualStack: boolean;
  logRetention: logs.RetentionDays;
}

export class LatticePrefixLists extends Construct {
  readonly ipv4: string;
  readonly ipv6?: string;

  constructor(scope: Construct, id: string, props: LatticePrefixListsProps) {
    super(scope, id);
    const names = latticePrefixListNames(Stack.of(this).region);
    const logGroup = new logs.LogGroup(this, 'LookupLogs', { retention: props.logRetention });
    // A role of its own instead of the default one with the AWSLambdaBasicExecutionRole managed policy: the
    // function writes to its log group and reads prefix lists, nothing else.
    const role = new iam.Role(this, 'LookupRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Looks up the VPC Lattice managed prefix lists at deploy time',
    });
    logGroup.grantWrite(role);
    acknowledge(
      role,
      'Log streams are created per invocation inside the lookup log group.',
      belowArnFinding(logGroup),
    );
    this.ipv4 = this.lookUp('Ipv4', names.ipv4, logGroup, role);
    if (props.dualStack) this.ipv6 = this.lookUp('Ipv6', names.ipv6, logGroup, role);
  }

  private lookUp(id: string, name: string, logGroup: logs.ILogGroup, role: iam.IRole): string {
    const call: cr.AwsSdkCall = {
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: { Filters: [{ Name: 'prefix-list-name', Values: [name] }] },
      // A Region without the list answers with none: the deployment fails here, naming the list.
      physicalResourceId: cr.PhysicalResourceId.fromResponse('PrefixLists.0.PrefixListId'),
      outputPaths: ['PrefixLists.0.PrefixListId'],
    };
    const lookup = new cr.AwsCustomResource(this, id, {
      onCreate: call,
      onUpdate: call,
      policy: cr.AwsCustomResourcePolicy.fromStatements([
        new iam.PolicyStatement({ actions: ['ec2:DescribeManagedPrefixLists'], resources: ['*'] }),
      ]),
      installLatestAwsSdk: false,
      logGroup,
      role,
    });
    acknowledge(
      lookup,
      'ec2:DescribeManagedPrefixLists supports no resource-level permissions; the lookup reads one list by name.',
      wildcardFinding('*'),
    );
    return lookup.getResponseField('PrefixLists.0.PrefixListId');
  }
}
