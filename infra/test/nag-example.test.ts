// cdk-nag AwsSolutions over every stack with every option on, and the optional example provider stack.
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { PREFIX_LIST_MAX_ENTRIES } from '../constructs/client-sources.ts';
import {
  environment,
  everyOptionEnvironment,
  exampleConfig,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  synthesizeApp,
  withEnvironments,
} from './fixtures.ts';

const ENVIRONMENTS = [
  everyOptionEnvironment('sandbox'),
  environment({
    name: 'shared',
    mode: 'private',
    account: '444455556666',
    exampleProvider: true,
    serviceNetworkId: 'sn-0123456789abcdef0',
  }),
];

/** More entries than a prefix list mirrors: the public NLB then admits any address (acknowledged EC23). */
const BIG_ALLOWLIST = Array.from({ length: PREFIX_LIST_MAX_ENTRIES + 5 }, (_, i) => ({
  cidr: `198.51.${i}.0/24`,
  description: `Branch office ${i}`,
}));

let app: ReturnType<typeof synthesizeApp>;
const example = (name: string) => app.template(`LatticeIngress-${name}-ExampleProvider`);

beforeAll(async () => {
  const config = withEnvironments(await exampleConfig(), ENVIRONMENTS);
  app = synthesizeApp({ ...config, allowlist: { allowAnyAddress: false, entries: BIG_ALLOWLIST } });
}, SYNTH_TIMEOUT_MS);

describe('cdk-nag AwsSolutions', () => {
  it(
    'reports no unacknowledged finding on any stack',
    () => {
      const report = new AwsSolutionsChecks(app.app).validateScope(app.app);
      const findings = report.violations.map(
        (v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
      );
      expect(findings).toEqual([]);
      expect(app.stackNames()).toHaveLength(8);
    },
    SYNTH_TIMEOUT_MS,
  );

  it('does report an unacknowledged finding (the check above can fail)', () => {
    const scratch = new App();
    const stack = new Stack(scratch, 'Scratch', { env: { account: '111122223333', region: 'eu-west-1' } });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: ['eu-west-1a'], natGateways: 0 });
    new ec2.SecurityGroup(stack, 'Open', { vpc }).addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22));
    const rules = new AwsSolutionsChecks(scratch).validateScope(scratch).violations.map((v) => v.ruleName);
    expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-EC23', 'AwsSolutions-VPC7']));
  });

  it('opens the load balancers to any address when the allowlist outgrows the prefix list', () => {
    const template = app.template('LatticeIngress-sandbox-Ingress');
    template.resourceCountIs('AWS::EC2::PrefixList', 0);
    const anywhere = resourcesOf(template, 'AWS::EC2::SecurityGroup').flatMap(([, p]) =>
      ((p.SecurityGroupIngress ?? []) as { CidrIp?: string; FromPort: number }[]).filter(
        (r) => r.CidrIp === '0.0.0.0/0',
      ),
    );
    expect(anywhere.map((r) => r.FromPort).sort()).toEqual([443, 443, 80, 80]);
    // The allowlist has no IPv6 entry, so even the dual-stack load balancers admit no IPv6 client.
    expect(JSON.stringify(template.toJSON())).not.toContain('"CidrIpv6":"::/0"');
  });
});

describe('example provider', () => {
  it('creates a service network with IAM auth whose policy refuses anonymous principals', () => {
    const template = example('sandbox');
    template.hasResourceProperties('AWS::VpcLattice::ServiceNetwork', { AuthType: 'AWS_IAM' });
    const policies = resourcesOf(template, 'AWS::VpcLattice::AuthPolicy');
    expect(policies).toHaveLength(2); // network and service
    for (const [, p] of policies) {
      expect(p.Policy).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: '*',
            Condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'anonymous' } },
          },
        ],
      });
    }
  });

  it('serves a custom domain with a certificate validated in the public zone', () => {
    const template = example('sandbox');
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: 'example-sandbox.example.com',
      ValidationMethod: 'DNS',
      DomainValidationOptions: [
        { DomainName: 'example-sandbox.example.com', HostedZoneId: 'Z0PUBLIC00000000000' },
      ],
    });
    template.hasResourceProperties('AWS::VpcLattice::Service', {
      AuthType: 'AWS_IAM',
      CustomDomainName: 'example-sandbox.example.com',
      CertificateArn: { Ref: Match.stringLikeRegexp('Certificate') },
    });
  });

  it('routes HTTPS and HTTP listeners to a Lambda target that Lattice may invoke', () => {
    const template = example('sandbox');
    const listeners = resourcesOf(template, 'AWS::VpcLattice::Listener').map(([, p]) => [p.Protocol, p.Port]);
    expect(listeners.sort()).toEqual([
      ['HTTP', 80],
      ['HTTPS', 443],
    ]);
    template.hasResourceProperties('AWS::VpcLattice::TargetGroup', {
      Type: 'LAMBDA',
      Config: { LambdaEventStructureVersion: 'V2' },
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'vpc-lattice.amazonaws.com',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Architectures: ['arm64'],
      Code: { ZipFile: Match.stringLikeRegexp("'content-type': 'application/json'") },
    });
  });

  it('associates the ingress VPC with the example network when none is configured', () => {
    const association = resourcesOf(
      app.template('LatticeIngress-sandbox-Ingress'),
      'AWS::VpcLattice::ServiceNetworkVpcAssociation',
    );
    expect(JSON.stringify(association[0]?.[1].ServiceNetworkIdentifier)).toContain('Fn::ImportValue');
  });

  it('attaches the example service to a configured network instead of creating one', () => {
    const template = example('shared');
    template.resourceCountIs('AWS::VpcLattice::ServiceNetwork', 0);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::VpcLattice::ServiceNetworkServiceAssociation', {
      ServiceNetworkIdentifier: 'sn-0123456789abcdef0',
    });
    app
      .template('LatticeIngress-shared-Ingress')
      .hasResourceProperties('AWS::VpcLattice::ServiceNetworkVpcAssociation', {
        ServiceNetworkIdentifier: 'sn-0123456789abcdef0',
      });
  });
});
