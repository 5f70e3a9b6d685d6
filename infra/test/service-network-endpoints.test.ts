// Further service networks and direct clients, synthesized the way `cdk synth` runs (infra/bin/app.ts, cdk-nag on,
// no credentials, no context): an environment associated with one network reaches two more, one by ID and one by the
// ARN it is shared with, each through a service-network endpoint whose security group admits the proxy tasks on the
// ports of the services behind it and nothing else; direct clients get their own rules and a Resolver inbound
// endpoint. AWS CloudFormation, AWS::EC2::VPCEndpoint: VpcEndpointType, ServiceNetworkArn, DnsOptions.
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_OUTPUTS, serviceNetworkEndpointOutput } from '../../src/contract/outputs.ts';
import { resolverAddress } from '../constructs/direct-client-dns.ts';
import { EXAMPLE_CONFIG_DIR, REPOSITORY_ROOT } from './fixtures.ts';

const BY_ID = 'sn-0aaaaaaaaaaaaaaaa';
const SHARED = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0bbbbbbbbbbbbbbbb';
const ENDPOINT_NAME =
  'vpce-0123456789abcdef0-snsa-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';

const DEPLOYMENT = `environments:
  - name: hub
    account: "111122223333"
    region: eu-west-1
    mode: private
    vpcCidr: 10.60.0.0/20
    serviceNetworkId: sn-0123456789abcdef0
    serviceNetworkEndpoints: [${BY_ID}, "${SHARED}"]
    directClients:
      cidrs: [192.168.0.0/16]
      serviceNetworks: ["${SHARED}"]
    github:
      repository: example-org/lattice-ingress
`;

const SERVICES = `services:
  - name: orders
    domain: orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws
    ports: [443, 80]
  - name: billing
    domain: billing.example.com
    serviceNetwork: ${BY_ID}
    ports: [443]
  - name: ledger
    domain: ledger.example.com
    serviceNetwork: "${SHARED}"
    endpointDomains: [{ environment: hub, domain: ${ENDPOINT_NAME} }]
    ports: [80]
`;

type Resource = { Type: string; Properties: Record<string, unknown> };
let scratch: string;
let resources: [string, Resource][];
let template: { Resources: Record<string, Resource>; Outputs: Record<string, { Value: unknown }> };
let manifest: {
  missing?: unknown;
  artifacts: Record<string, { metadata?: Record<string, { type: string }[]> }>;
};

const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const ref = (id: string) => ({ Ref: id });
const groupId = (id: string) => ({ 'Fn::GetAtt': [id, 'GroupId'] });
const endpointFor = (networkId: string) => {
  const found = ofType('AWS::EC2::VPCEndpoint').find(([id]) => id.includes(networkId.replace('-', '')));
  if (!found) throw new Error(`no endpoint for ${networkId}`);
  return found;
};
const securityGroupOf = (endpoint: Resource) => {
  const [sg] = endpoint.Properties.SecurityGroupIds as { 'Fn::GetAtt': [string, string] }[];
  return (sg as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
};
const taskGroup = () => {
  const found = ofType('AWS::EC2::SecurityGroup').find(([id]) => id.includes('TaskSecurityGroup'));
  if (!found) throw new Error('no task security group');
  return found[0];
};
const ingressOf = (group: string) => [
  ...((template.Resources[group]?.Properties.SecurityGroupIngress as Record<string, unknown>[]) ?? []),
  ...ofType('AWS::EC2::SecurityGroupIngress')
    .filter(([, r]) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(groupId(group)))
    .map(([, r]) => r.Properties),
];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'lattice-ingress-sn-endpoints-'));
  const config = join(scratch, 'config');
  const out = join(scratch, 'cdk.out');
  await cp(EXAMPLE_CONFIG_DIR, config, { recursive: true });
  await writeFile(join(config, 'deployment.yaml'), DEPLOYMENT);
  await writeFile(join(config, 'services.yaml'), SERVICES);
  await writeFile(
    join(config, 'allowlist.yaml'),
    'entries:\n  - cidr: 198.51.100.0/24\n    description: Office\n',
  );
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(AWS_|CDK_)/.test(key) && key !== 'HOME'),
  );
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'infra/bin/app.ts'], {
    cwd: REPOSITORY_ROOT,
    env: { ...env, HOME: join(scratch, 'home'), LATTICE_INGRESS_CONFIG_DIR: config, CDK_OUTDIR: out },
    encoding: 'utf8',
    timeout: 220_000,
  });
  if (result.status !== 0) throw new Error(`synth failed: ${result.stderr}`);
  template = JSON.parse(await readFile(join(out, 'LatticeIngress-hub-Ingress.template.json'), 'utf8'));
  manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  resources = Object.entries(template.Resources);
}, 240_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('two further service networks, one by ID and one shared by ARN', () => {
  it('synthesize offline with cdk-nag, looking nothing up', () => {
    expect(manifest.missing).toBeUndefined();
    const errors = Object.values(manifest.artifacts).flatMap((artifact) =>
      Object.values(artifact.metadata ?? {}).flatMap((entries) =>
        entries.filter((e) => e.type === 'aws:cdk:error'),
      ),
    );
    expect(errors).toEqual([]);
  });

  it('get one service-network endpoint each, in the three proxy subnets, the association staying', () => {
    const endpoints = ofType('AWS::EC2::VPCEndpoint').filter(
      ([, r]) => r.Properties.VpcEndpointType === 'ServiceNetwork',
    );
    expect(endpoints).toHaveLength(2);
    const [, byId] = endpointFor(BY_ID);
    const [, shared] = endpointFor('sn-0bbbbbbbbbbbbbbbb');
    expect(shared.Properties.ServiceNetworkArn).toBe(SHARED);
    // An ID becomes the ARN of the network in the stack's own account and Region.
    expect(JSON.stringify(byId.Properties.ServiceNetworkArn)).toContain(`:servicenetwork/${BY_ID}`);
    expect(JSON.stringify(byId.Properties.ServiceNetworkArn)).toContain(
      ':eu-west-1:111122223333:servicenetwork/',
    );
    for (const [, endpoint] of endpoints) {
      expect(endpoint.Properties.SubnetIds).toHaveLength(3);
      expect(JSON.stringify(endpoint.Properties.SubnetIds)).toMatch(
        /ProxySubnet1.*ProxySubnet2.*ProxySubnet3/,
      );
      expect(endpoint.Properties).toMatchObject({
        PrivateDnsEnabled: true,
        DnsOptions: { PrivateDnsPreference: 'VERIFIED_DOMAINS_ONLY' },
        IpAddressType: 'ipv4',
      });
    }
    expect(ofType('AWS::VpcLattice::ServiceNetworkVpcAssociation')).toHaveLength(1);
  });

  it('admit the proxy tasks on the ports of the services behind them, and nothing else', () => {
    const tasks = taskGroup();
    const rules = (network: string) =>
      ingressOf(securityGroupOf(endpointFor(network)[1])).map((rule) => ({
        port: rule.FromPort,
        from: rule.SourceSecurityGroupId ?? rule.CidrIp ?? rule.CidrIpv6,
      }));
    expect(rules(BY_ID)).toEqual([{ port: 443, from: groupId(tasks) }]);
    // The shared network also serves direct clients, on 80 and 443 from their networks only.
    expect(rules('sn-0bbbbbbbbbbbbbbbb')).toEqual([
      { port: 80, from: '192.168.0.0/16' },
      { port: 443, from: '192.168.0.0/16' },
      { port: 80, from: groupId(tasks) },
    ]);
    for (const network of [BY_ID, 'sn-0bbbbbbbbbbbbbbbb']) {
      const group = template.Resources[securityGroupOf(endpointFor(network)[1])] as Resource;
      // No egress: EC2's allow-all rule is replaced by CDK's placeholder that matches nothing.
      expect(group.Properties.SecurityGroupEgress).toEqual([
        expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp' }),
      ]);
    }
  });

  it('give the proxy tasks egress to those endpoints on those ports, and to no other security group', () => {
    const egress = ofType('AWS::EC2::SecurityGroupEgress')
      .filter(([, r]) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(groupId(taskGroup())))
      .filter(([, r]) => r.Properties.DestinationSecurityGroupId !== undefined)
      .map(([, r]) => ({ port: r.Properties.FromPort, to: r.Properties.DestinationSecurityGroupId }));
    expect(egress).toEqual([
      { port: 443, to: groupId(securityGroupOf(endpointFor(BY_ID)[1])) },
      { port: 80, to: groupId(securityGroupOf(endpointFor('sn-0bbbbbbbbbbbbbbbb')[1])) },
    ]);
  });

  it('publish each endpoint ID, where its per-service names are read', () => {
    expect(template.Outputs[serviceNetworkEndpointOutput(BY_ID)]?.Value).toEqual(ref(endpointFor(BY_ID)[0]));
    expect(template.Outputs[serviceNetworkEndpointOutput('sn-0bbbbbbbbbbbbbbbb')]?.Value).toEqual(
      ref(endpointFor('sn-0bbbbbbbbbbbbbbbb')[0]),
    );
  });
});

describe('direct clients', () => {
  it('get a Resolver inbound endpoint at fixed addresses in the proxy subnets, DNS from their networks only', () => {
    const resolvers = ofType('AWS::Route53Resolver::ResolverEndpoint');
    expect(resolvers).toHaveLength(1);
    const [, resolver] = resolvers[0] as [string, Resource];
    expect(resolver.Properties.Direction).toBe('INBOUND');
    // 10.60.0.0/20 -> proxy subnets /23: 10.60.0.0, 10.60.2.0, 10.60.4.0; the last usable address of each.
    const addresses = ['10.60.1.254', '10.60.3.254', '10.60.5.254'];
    expect((resolver.Properties.IpAddresses as { Ip: string }[]).map((a) => a.Ip)).toEqual(addresses);
    expect(template.Outputs[INGRESS_OUTPUTS.directClientResolverAddresses]?.Value).toBe(addresses.join(','));
    const [group] = resolver.Properties.SecurityGroupIds as { 'Fn::GetAtt': [string, string] }[];
    expect(
      ingressOf(group?.['Fn::GetAtt'][0] as string).map(
        (rule) => `${rule.IpProtocol} ${rule.FromPort} ${rule.CidrIp}`,
      ),
    ).toEqual(['udp 53 192.168.0.0/16', 'tcp 53 192.168.0.0/16']);
  });

  it('resolver addresses are the last one AWS does not reserve', () => {
    expect(resolverAddress('10.60.0.0/23')).toBe('10.60.1.254');
    expect(resolverAddress('10.42.14.0/27')).toBe('10.42.14.30');
  });
});
