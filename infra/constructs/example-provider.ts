// A complete Lattice service to try the whole path in a sandbox account: a service network with IAM auth, a service
// with HTTPS and HTTP listeners (optionally under a custom domain with its certificate) and a Lambda answering JSON.
import { Duration } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as vpclattice from 'aws-cdk-lib/aws-vpclattice';
import { Construct } from 'constructs';
import { acknowledge, belowArnFinding } from '../nag.ts';
import type { ZoneRef } from './dns.ts';

export interface ExampleProviderProps {
  /** Lattice-unique service name. */
  name: string;
  /** Attach the service to this existing network instead of creating one. */
  existingServiceNetworkId?: string;
  /** With a public zone the service gets a custom domain in it, and a certificate validated there. */
  publicZone?: ZoneRef;
  logRetention: logs.RetentionDays;
}

/** Lattice invokes the function with event structure V2 and expects this response shape. */
const HANDLER = `
exports.handler = async (event) => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  isBase64Encoded: false,
  body: JSON.stringify({
    service: process.env.SERVICE_NAME,
    method: event.method,
    path: event.path,
    caller: event.requestContext?.identity?.principal ?? null,
  }),
});
`;

/** Any signed-in AWS principal may invoke; unsigned (anonymous) requests are refused. */
function authenticatedOnly(): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['vpc-lattice-svcs:Invoke'],
        resources: ['*'],
        conditions: { StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'anonymous' } },
      }),
    ],
  });
}

export class ExampleProvider extends Construct {
  readonly serviceNetworkId: string;
  readonly service: vpclattice.CfnService;
  readonly customDomain?: string;

  constructor(scope: Construct, id: string, props: ExampleProviderProps) {
    super(scope, id);
    if (props.existingServiceNetworkId) {
      this.serviceNetworkId = props.existingServiceNetworkId;
    } else {
      const network = new vpclattice.CfnServiceNetwork(this, 'ServiceNetwork', {
        name: `${props.name}-network`,
        authType: 'AWS_IAM',
      });
      new vpclattice.CfnAuthPolicy(this, 'ServiceNetworkAuthPolicy', {
        resourceIdentifier: network.attrId,
        policy: authenticatedOnly().toJSON(),
      });
      this.serviceNetworkId = network.attrId;
    }

    let certificate: acm.Certificate | undefined;
    if (props.publicZone) {
      this.customDomain = `${props.name}.${props.publicZone.name}`;
      certificate = new acm.Certificate(this, 'Certificate', {
        domainName: this.customDomain,
        validation: acm.CertificateValidation.fromDns(
          route53.HostedZone.fromHostedZoneAttributes(this, 'PublicZone', {
            hostedZoneId: props.publicZone.id,
            zoneName: props.publicZone.name,
          }),
        ),
      });
    }
    this.service = new vpclattice.CfnService(this, 'Service', {
      name: props.name,
      authType: 'AWS_IAM',
      customDomainName: this.customDomain,
      certificateArn: certificate?.certificateArn,
    });
    new vpclattice.CfnAuthPolicy(this, 'ServiceAuthPolicy', {
      resourceIdentifier: this.service.attrId,
      policy: authenticatedOnly().toJSON(),
    });
    new vpclattice.CfnServiceNetworkServiceAssociation(this, 'ServiceAssociation', {
      serviceNetworkIdentifier: this.serviceNetworkId,
      serviceIdentifier: this.service.attrId,
    });

    const handler = this.handler(props);
    const targetGroup = new vpclattice.CfnTargetGroup(this, 'Targets', {
      type: 'LAMBDA',
      config: { lambdaEventStructureVersion: 'V2' },
      targets: [{ id: handler.functionArn }],
    });
    handler.addPermission('InvokeFromLattice', {
      principal: new iam.ServicePrincipal('vpc-lattice.amazonaws.com'),
      sourceArn: targetGroup.attrArn,
    });
    for (const [name, protocol, port] of [
      ['Https', 'HTTPS', 443],
      ['Http', 'HTTP', 80],
    ] as const) {
      new vpclattice.CfnListener(this, `${name}Listener`, {
        serviceIdentifier: this.service.attrId,
        protocol,
        port,
        defaultAction: {
          forward: { targetGroups: [{ targetGroupIdentifier: targetGroup.attrId, weight: 100 }] },
        },
      });
    }
  }

  private handler(props: ExampleProviderProps): lambda.Function {
    const logGroup = new logs.LogGroup(this, 'HandlerLogs', { retention: props.logRetention });
    const role = new iam.Role(this, 'HandlerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Example Lattice target: writes its own logs, nothing else',
    });
    const fn = new lambda.Function(this, 'Handler', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(HANDLER),
      memorySize: 128,
      timeout: Duration.seconds(5),
      role,
      logGroup,
      environment: { SERVICE_NAME: props.name },
    });
    logGroup.grantWrite(role);
    acknowledge(
      role,
      'Log stream names are chosen by Lambda at run time; the grant is limited to this log group.',
      belowArnFinding(logGroup),
    );
    return fn;
  }
}
