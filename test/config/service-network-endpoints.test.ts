// Further service networks: a VPC is associated with one network (serviceNetworkId); every further one is reached
// through a service-network endpoint (serviceNetworkEndpoints), by ID or, when shared through AWS RAM, by ARN. A
// service says which network it is in, and through an endpoint it needs a name that works there.
import { describe, expect, it } from 'vitest';
import { parse, summary } from './sources.ts';

const SHARED = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0bbbbbbbbbbbbbbbb';
const ENDPOINT_NAME =
  'vpce-0123456789abcdef0-snsa-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';

function deployment(endpoints: string): string {
  return `environments:
  - name: staging
    account: "111122223333"
    region: eu-west-1
    mode: private
    vpcCidr: 10.42.0.0/20
    serviceNetworkId: sn-0123456789abcdef0
    serviceNetworkEndpoints: ${endpoints}
    github:
      repository: example-org/lattice-ingress
`;
}

function services(billing: string): string {
  return `services:
  - name: orders
    domain: orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws
  - name: billing
    domain: billing.example.com
${billing}`;
}

describe('serviceNetworkEndpoints', () => {
  it('accepts two further networks, one by ID and one by the ARN it is shared with', () => {
    const result = parse({
      deployment: deployment(`[sn-0aaaaaaaaaaaaaaaa, "${SHARED}"]`),
      services: services(
        `    serviceNetwork: "${SHARED}"\n    endpointDomains: [{ environment: staging, domain: ${ENDPOINT_NAME} }]\n`,
      ),
    });
    expect(summary(result)).toEqual([]);
    expect(result.config?.deployment.environments[0]?.serviceNetworkEndpoints).toEqual([
      'sn-0aaaaaaaaaaaaaaaa',
      SHARED,
    ]);
  });

  it.each([
    ['a malformed ID', '[sn-0aaa]', 8, 31, 'serviceNetworkEndpoints[] is a service network ID such as'],
    [
      'a network of another Region',
      `[sn-0aaaaaaaaaaaaaaaa, "${SHARED.replace('eu-west-1', 'us-east-1')}"]`,
      8,
      53,
      'sn-0bbbbbbbbbbbbbbbb is a service network in us-east-1, but environment staging is in eu-west-1',
    ],
    [
      'a network listed twice, by ID and by ARN',
      `[sn-0bbbbbbbbbbbbbbbb, "${SHARED}"]`,
      8,
      53,
      'sn-0bbbbbbbbbbbbbbbb is listed twice (see line 8)',
    ],
    [
      'the associated network',
      '[sn-0123456789abcdef0]',
      8,
      31,
      'sn-0123456789abcdef0 is the network the VPC is associated with (serviceNetworkId)',
    ],
  ])('refuses %s at its line and column', (_, endpoints, line, column, message) => {
    const result = parse({ deployment: deployment(endpoints) });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      file: 'config/deployment.yaml',
      line,
      column,
      severity: 'error',
    });
    expect(result.diagnostics[0]?.message).toContain(message);
    expect(result.diagnostics[0]?.hint ?? result.diagnostics[0]?.message).toBeTruthy();
  });
});

describe("a service's serviceNetwork", () => {
  it('must be a network every environment reaches', () => {
    const result = parse({
      deployment: deployment('[sn-0aaaaaaaaaaaaaaaa]'),
      services: services('    serviceNetwork: sn-0cccccccccccccccc\n'),
    });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({
      file: 'config/services.yaml',
      line: 6,
      column: 21,
      code: 'service-network-unreachable',
      message:
        'billing is in sn-0cccccccccccccccc, but environment staging neither is associated with it nor has an endpoint for it',
      hint: 'add sn-0cccccccccccccccc to serviceNetworkEndpoints of staging in deployment.yaml',
    });
  });

  it('through an endpoint, needs the endpoint name or a custom domain, never the generated name', () => {
    const generated = parse({
      deployment: deployment('[sn-0aaaaaaaaaaaaaaaa]'),
      services: services(
        '    latticeDomain: billing-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws\n    serviceNetwork: sn-0aaaaaaaaaaaaaaaa\n',
      ),
    });
    expect(generated.diagnostics.map((d) => d.code)).toEqual(['service-network-endpoint-name']);
    const custom = parse({
      deployment: deployment('[sn-0aaaaaaaaaaaaaaaa]'),
      // domain is the service's custom domain name, which the endpoint's private DNS resolves inside the VPC.
      services: services('    serviceNetwork: sn-0aaaaaaaaaaaaaaaa\n'),
    });
    expect(summary(custom)).toEqual([]);
  });

  it('may be the associated network, where the generated name works', () => {
    const result = parse({
      deployment: deployment('[sn-0aaaaaaaaaaaaaaaa]'),
      services: services(
        '    latticeDomain: billing-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws\n    serviceNetwork: sn-0123456789abcdef0\n',
      ),
    });
    expect(summary(result)).toEqual([]);
  });
});
