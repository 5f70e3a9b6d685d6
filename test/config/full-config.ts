// A valid configuration that sets every optional field, as plain objects, for tests that go through every value.
import jsYaml from 'js-yaml';
import { parseConfig } from '../../src/config/load.ts';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';
import { TODAY } from './sources.ts';

export type RawConfig = Record<ConfigPart, Record<string, unknown>>;

export function fullConfig(): RawConfig {
  return {
    allowlist: {
      allowAnyAddress: false,
      connectionsPerClient: 512,
      entries: [
        {
          cidr: '198.51.100.0/24',
          description: 'Head office egress (NAT pool)',
          expires: '2030-06-30',
          connectionsPerClient: 4000,
        },
        { cidr: '2001:db8:100::/48', description: 'Head office IPv6', services: ['orders'] },
      ],
    },
    services: {
      services: [
        {
          name: 'orders',
          domain: 'orders.example.com',
          latticeDomain: 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
          ports: [443, 80],
          auth: 'iam',
          smoke: { path: '/health', expect: 200 },
        },
        {
          name: 'billing',
          domain: 'billing.example.com',
          serviceNetwork: 'sn-0aaaaaaaaaaaaaaaa',
          endpointDomains: [
            {
              environment: 'production',
              domain:
                'vpce-0123456789abcdef0-snsa-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
            },
          ],
          ports: [443],
          auth: 'iam',
          smoke: { path: '/', expect: 200 },
        },
      ],
    },
    scaling: {
      minTasks: 2,
      maxTasks: 10,
      desiredTasks: 3,
      cpuTargetPercent: 60,
      scaleOutCooldownSeconds: 60,
      scaleInCooldownSeconds: 300,
      taskCpu: 512,
      taskMemoryMiB: 1024,
    },
    deployment: {
      environments: [
        {
          name: 'production',
          account: '444455556666',
          region: 'eu-west-1',
          availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
          mode: 'both',
          vpcCidr: '10.43.0.0/20',
          serviceNetworkId: 'sn-0fedcba9876543210',
          serviceNetworkEndpoints: ['sn-0aaaaaaaaaaaaaaaa'],
          directClients: {
            cidrs: ['10.0.0.0/8'],
            serviceNetworks: [
              'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0bbbbbbbbbbbbbbbb',
            ],
          },
          github: {
            repository: 'example-org/lattice-ingress',
            environment: 'prod',
            oidcProviderArn: 'arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com',
          },
          hostedZones: {
            public: { id: 'Z0123456789ABCDEFGHIJ', name: 'example.com' },
            private: { id: 'Z9876543210ABCDEFGHIJ', name: 'internal.example.com' },
          },
          network: { transitGatewayId: 'tgw-0123456789abcdef0', routes: ['10.0.0.0/8', '192.168.0.0/16'] },
          exampleProvider: false,
          ecsExec: false,
          crossZoneLoadBalancing: true,
          dualStack: true,
          logRetentionDays: 90,
          smokeRunner: 'allowlisted-runner',
          alarms: {
            topicArn: 'arn:aws:sns:eu-west-1:444455556666:ops-alerts',
            noHealthyTargetMinutes: 3,
            belowDesiredMinutes: 10,
            cpuPercent: 90,
            cpuMinutes: 15,
            upstreamErrorsPer5Minutes: 50,
            refusalsPer5Minutes: 5000,
          },
        },
        {
          name: 'staging',
          account: '111122223333',
          region: 'eu-west-1',
          availabilityZoneIds: ['euw1-az1', 'euw1-az2', 'euw1-az3'],
          mode: 'private',
          vpcCidr: '10.42.0.0/20',
          serviceNetworkId: 'sn-0aaaaaaaaaaaaaaaa',
          github: { repository: 'example-org/lattice-ingress' },
        },
      ],
    },
  };
}

export function toYaml(value: unknown): string {
  return jsYaml.dump(value, { lineWidth: -1, noRefs: true });
}

export function parseRaw(raw: RawConfig, now = TODAY) {
  const texts = Object.fromEntries(
    (Object.keys(CONFIG_FILES) as ConfigPart[]).map((part) => [part, toYaml(raw[part])]),
  ) as Record<ConfigPart, string>;
  const sources = Object.fromEntries(
    (Object.keys(CONFIG_FILES) as ConfigPart[]).map((part) => [
      part,
      { path: CONFIG_FILES[part].file, bytes: new TextEncoder().encode(texts[part]) },
    ]),
  ) as Parameters<typeof parseConfig>[0];
  return { texts, result: parseConfig(sources, { now }) };
}

export type LeafPath = (string | number)[];

/** Every leaf (string, number, boolean) of a value, with its path. */
export function leaves(value: unknown, path: LeafPath = []): { path: LeafPath; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => leaves(item, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...path, key]));
  }
  return [{ path, value }];
}

export function setIn(root: unknown, path: LeafPath, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) node = node[step] as Record<string | number, unknown>;
  node[path.at(-1) as string | number] = value;
}
