// A service of a further network is reachable only where the environment has an endpoint for that network, and
// only by a name that works through the endpoint: a Lattice-generated service name resolves through a VPC
// association only; through an endpoint, the endpoint's own name for the service (endpointDomains) or a custom
// domain name the endpoint's private DNS resolves.
import {
  endpointDomain,
  LATTICE_DNS_NAME,
  serviceNetworkIdOf,
  serviceNetworkPath,
  upstreamName,
} from '../../model.ts';
import { defineRule } from '../rule.ts';

export const serviceNetworks = defineRule({
  name: 'service-networks',
  group: 'cross-file',
  reads: ['services', 'deployment'],
  codes: {
    'service-network-unreachable': {
      severity: 'error',
      summary:
        "a service's `serviceNetwork` that an environment neither is associated with nor has an endpoint for",
    },
    'service-network-endpoint-name': {
      severity: 'error',
      summary:
        'a service reached through an endpoint by its Lattice-generated name (that name works only through an association)',
    },
    'endpoint-domain-without-endpoint': {
      severity: 'error',
      summary:
        "`endpointDomains` names an environment that reaches the service's network through its association",
    },
    'endpoint-domain-environment': {
      severity: 'error',
      summary: '`endpointDomains` names an environment deployment.yaml does not have',
    },
  },
  check({ services, deployment }, _context, report) {
    const environments = deployment.environments;
    services.services.forEach((service, index) => {
      const at = (...path: (string | number)[]) =>
        ({ part: 'services', path: ['services', index, ...path] }) as const;
      (service.endpointDomains ?? []).forEach(({ environment: name }, e) => {
        const env = environments.find((candidate) => candidate.name === name);
        if (!env) {
          report(
            'endpoint-domain-environment',
            at('endpointDomains', e, 'environment'),
            `endpointDomains names environment ${name}, which deployment.yaml does not have`,
            `use one of ${environments.map((candidate) => candidate.name).join(', ')}`,
          );
        } else if (
          !service.serviceNetwork ||
          serviceNetworkPath(env, service.serviceNetwork) !== 'endpoint'
        ) {
          report(
            'endpoint-domain-without-endpoint',
            at('endpointDomains', e, 'environment'),
            `${service.name} is not reached through an endpoint in ${name}, so an endpoint name would replace the name that works there`,
            `remove this entry, or set serviceNetwork to the further network of ${name} the service is in`,
          );
        }
      });
      if (service.serviceNetwork === undefined) return;
      const id = serviceNetworkIdOf(service.serviceNetwork);
      for (const env of environments) {
        const path = serviceNetworkPath(env, service.serviceNetwork);
        if (path === undefined) {
          report(
            'service-network-unreachable',
            at('serviceNetwork'),
            `${service.name} is in ${id}, but environment ${env.name} neither is associated with it nor has an endpoint for it`,
            `add ${id} to serviceNetworkEndpoints of ${env.name} in deployment.yaml`,
          );
        } else if (
          path === 'endpoint' &&
          endpointDomain(service, env.name) === undefined &&
          LATTICE_DNS_NAME.test(upstreamName(service))
        ) {
          report(
            'service-network-endpoint-name',
            at('serviceNetwork'),
            `${service.name} is reached through the endpoint of ${env.name} for ${id}, where its generated name ${upstreamName(service)} does not resolve: that name works only through a VPC association`,
            `add ${env.name} to endpointDomains with the endpoint's name for the service (aws ec2 describe-vpc-endpoint-associations, DnsEntry.DnsName), or forward to a custom domain name the endpoint's private DNS resolves`,
          );
        }
      }
    });
  },
});
