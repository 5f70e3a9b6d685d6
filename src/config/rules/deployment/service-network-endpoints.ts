// Further service networks (serviceNetworkEndpoints) and the networks of direct clients (directClients) each get a
// service-network endpoint in the environment's Region: a network of another Region, one listed twice (by ID and by
// ARN alike) or, among the further networks, the one the VPC is already associated with cannot be what was meant; and
// every endpoint needs a /28 in each proxy subnet.
import { parseCidr } from '../../cidr.ts';
import {
  type Environment,
  SERVICE_NETWORK_ENDPOINT_ADDRESSES,
  SUBNET_PREFIX_BITS,
  serviceNetworkIdOf,
  serviceNetworkRegion,
} from '../../model.ts';
import { defineRule } from '../rule.ts';

type EndpointList = 'serviceNetworkEndpoints' | 'directClients';

function listed(
  env: Environment,
  list: EndpointList,
): { networks: readonly string[]; path: (string | number)[] } {
  return list === 'serviceNetworkEndpoints'
    ? { networks: env.serviceNetworkEndpoints ?? [], path: ['serviceNetworkEndpoints'] }
    : { networks: env.directClients?.serviceNetworks ?? [], path: ['directClients', 'serviceNetworks'] };
}

export const serviceNetworkEndpoints = defineRule({
  name: 'service-network-endpoints',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'sn-endpoint-region-mismatch': {
      severity: 'error',
      summary:
        "a service network (by ARN) outside the environment's Region: an endpoint reaches its own Region only",
    },
    'sn-endpoint-duplicate': { severity: 'error', summary: 'a service network listed twice (by ID or ARN)' },
    'sn-endpoint-subnet-space': {
      severity: 'error',
      summary: 'more service-network endpoints than a proxy subnet has addresses for (a /28 each)',
    },
    'sn-endpoint-associated': {
      severity: 'error',
      summary: '`serviceNetworkEndpoints` lists the network the VPC is associated with (`serviceNetworkId`)',
    },
  },
  check({ deployment }, context, report) {
    deployment.environments.forEach((env, index) => {
      checkSubnetSpace(env, (message, hint) =>
        report(
          'sn-endpoint-subnet-space',
          { part: 'deployment', path: ['environments', index, 'vpcCidr'] },
          message,
          hint,
        ),
      );
      for (const list of ['serviceNetworkEndpoints', 'directClients'] as const) {
        const { networks, path } = listed(env, list);
        const ids = networks.map(serviceNetworkIdOf);
        networks.forEach((network, n) => {
          const at = { part: 'deployment', path: ['environments', index, ...path, n] } as const;
          const id = ids[n] as string;
          const region = serviceNetworkRegion(network);
          if (region !== undefined && region !== env.region) {
            report(
              'sn-endpoint-region-mismatch',
              at,
              `${id} is a service network in ${region}, but environment ${env.name} is in ${env.region}`,
              `a service-network endpoint reaches networks of its own Region: share a network in ${env.region} (AWS RAM) and list its ARN`,
            );
          } else if (ids.indexOf(id) !== n) {
            const first = context.lineOf('deployment', ['environments', index, ...path, ids.indexOf(id)]);
            report(
              'sn-endpoint-duplicate',
              at,
              `${id} is listed twice (see line ${first})`,
              'list each network once',
            );
          } else if (
            list === 'serviceNetworkEndpoints' &&
            env.serviceNetworkId !== undefined &&
            serviceNetworkIdOf(env.serviceNetworkId) === id
          ) {
            report(
              'sn-endpoint-associated',
              at,
              `${id} is the network the VPC is associated with (serviceNetworkId): the proxy already reaches it`,
              'remove it from serviceNetworkEndpoints; list only further networks',
            );
          }
        });
      }
    });
  },
});

/** Each endpoint takes a contiguous /28 in every proxy subnet, besides the five addresses AWS reserves there. */
function checkSubnetSpace(env: Environment, fail: (message: string, hint: string) => void): void {
  const parsed = parseCidr(env.vpcCidr);
  if (!parsed.ok || parsed.cidr.family !== 4) return; // the vpc-cidr rule reports it
  const networks = new Set(
    [...(env.serviceNetworkEndpoints ?? []), ...(env.directClients?.serviceNetworks ?? [])].map(
      serviceNetworkIdOf,
    ),
  );
  const subnetPrefix = parsed.cidr.prefix + SUBNET_PREFIX_BITS;
  const usable = 2 ** (32 - subnetPrefix) - 5;
  const needed = networks.size * SERVICE_NETWORK_ENDPOINT_ADDRESSES;
  if (needed > usable) {
    fail(
      `${networks.size} service-network endpoints need ${needed} addresses in each proxy subnet, but a /${subnetPrefix} subnet of vpcCidr ${env.vpcCidr} has ${usable}`,
      `use a larger vpcCidr (a /${parsed.cidr.prefix - 1} doubles the subnets), or fewer networks`,
    );
  }
}
