// doctor's service-network checks: endpoints deployed, each service behind an endpoint forwarded to one of that
// endpoint's names, the direct clients' resolver deployed and a route back to them.
import { describe, expect, it } from 'vitest';
import { type EndpointState, serviceNetworkFindings } from '../../src/bootstrap-plan/service-networks.ts';
import { describeAssociationsArgv, parseAssociations } from '../../src/cli/bootstrap/service-networks.ts';
import type { Config, Environment } from '../../src/config/model.ts';
import { INGRESS_OUTPUTS, serviceNetworkEndpointOutput } from '../../src/contract/outputs.ts';
import { parse } from '../config/sources.ts';

const ENDPOINT_NAME =
  'vpce-0123456789abcdef0-snsa-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';

function setUp(): { config: Config; env: Environment } {
  const { config } = parse();
  if (!config) throw new Error('the example config must be valid');
  const env: Environment = {
    ...(config.deployment.environments[0] as Environment),
    serviceNetworkEndpoints: ['sn-0aaaaaaaaaaaaaaaa'],
    directClients: { cidrs: ['192.168.0.0/16'], serviceNetworks: ['sn-0aaaaaaaaaaaaaaaa'] },
  };
  const services = [
    ...config.services.services,
    {
      name: 'billing',
      domain: 'billing.example.com',
      serviceNetwork: 'sn-0aaaaaaaaaaaaaaaa',
      endpointDomains: [{ environment: env.name, domain: ENDPOINT_NAME }],
      ports: [443 as const],
      auth: 'iam' as const,
      smoke: { path: '/', expect: 200 },
    },
  ];
  return { config: { ...config, services: { services }, deployment: { environments: [env] } }, env };
}

const deployed = (names: string[]): EndpointState => ({
  ingressOutputs: {
    [serviceNetworkEndpointOutput('sn-0aaaaaaaaaaaaaaaa')]: 'vpce-0123456789abcdef0',
    [INGRESS_OUTPUTS.directClientResolverAddresses]: '10.42.1.254,10.42.3.254,10.42.5.254',
  },
  associations: { 'vpce-0123456789abcdef0': names.map((dnsName) => ({ dnsName })) },
});

describe('doctor: service-network endpoints', () => {
  it('passes when the endpoint is deployed and the service is forwarded to one of its names', () => {
    const { config, env } = setUp();
    const findings = serviceNetworkFindings(config, env, deployed([ENDPOINT_NAME]));
    expect(findings.filter((f) => !f.ok && !f.warning)).toEqual([]);
    expect(findings.map((f) => f.check)).toContain(
      `billing is forwarded to ${ENDPOINT_NAME}, a name of the endpoint for sn-0aaaaaaaaaaaaaaaa`,
    );
  });

  it("names the endpoint's actual names when the configured one is not among them", () => {
    const { config, env } = setUp();
    const other = ENDPOINT_NAME.replace('snsa-0123', 'snsa-0999');
    const [finding] = serviceNetworkFindings(config, env, deployed([other])).filter(
      (f) => !f.ok && !f.warning,
    );
    expect(finding?.fix).toBe(
      `the endpoint's names are ${other}: add ${env.name} with billing's name to its endpointDomains in services.yaml`,
    );
  });

  it('asks for a deploy when the stack has no endpoint or resolver yet', () => {
    const { config, env } = setUp();
    const findings = serviceNetworkFindings(config, env, { associations: {} });
    expect(findings.filter((f) => !f.ok).map((f) => f.check)).toEqual([
      'service-network endpoint for sn-0aaaaaaaaaaaaaaaa',
      'Resolver inbound endpoint for direct clients',
      'direct clients 192.168.0.0/16 have a route back through network.routes',
    ]);
  });

  it('warns, without failing, when no Transit Gateway route leads back to the direct clients', () => {
    const { config, env } = setUp();
    const routed = {
      ...env,
      network: { transitGatewayId: 'tgw-0123456789abcdef0', routes: ['192.168.0.0/16'] },
    };
    const findings = (e: Environment) => serviceNetworkFindings(config, e, deployed([ENDPOINT_NAME]));
    expect(findings(env).filter((f) => !f.ok)).toEqual([
      expect.objectContaining({
        warning: true,
        check: 'direct clients 192.168.0.0/16 have a route back through network.routes',
      }),
    ]);
    expect(findings(routed).filter((f) => !f.ok)).toEqual([]);
  });

  it("reads the endpoint names from EC2's answer", () => {
    expect(
      parseAssociations({
        VpcEndpointAssociations: [
          {
            AssociatedResourceArn: 'arn:svc',
            DnsEntry: { DnsName: ENDPOINT_NAME },
            PrivateDnsEntry: { DnsName: 'billing.example.com' },
          },
          { AssociatedResourceArn: 'arn:other' },
        ],
      }),
    ).toEqual([
      { associatedResourceArn: 'arn:svc', dnsName: ENDPOINT_NAME, privateDnsName: 'billing.example.com' },
      { associatedResourceArn: 'arn:other', dnsName: undefined, privateDnsName: undefined },
    ]);
    expect(parseAssociations({})).toEqual([]);
  });

  it('has nothing to check without further networks, and describes endpoints with the EC2 call', () => {
    const { config } = setUp();
    const plain = parse().config?.deployment.environments[0] as Environment;
    expect(serviceNetworkFindings(config, plain, { associations: {} })).toEqual([]);
    expect(describeAssociationsArgv('vpce-1')).toEqual([
      'ec2',
      'describe-vpc-endpoint-associations',
      '--vpc-endpoint-ids',
      'vpce-1',
    ]);
  });
});
