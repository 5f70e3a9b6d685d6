// Lattice services are regional: the proxy can only reach services in the Region it runs in.
import { LATTICE_DNS_NAME, upstreamName } from '../../model.ts';
import { defineRule } from '../rule.ts';

export const latticeRegion = defineRule({
  name: 'lattice-region',
  group: 'cross-file',
  reads: ['services', 'deployment'],
  codes: {
    'lattice-region-mismatch': {
      severity: 'error',
      summary: "the Lattice name's Region is not the Region of any environment (Lattice is regional)",
    },
  },
  check({ services, deployment }, _context, report) {
    const regions = [...new Set(deployment.environments.map((env) => env.region))];
    services.services.forEach((service, index) => {
      const region = LATTICE_DNS_NAME.exec(upstreamName(service))?.groups?.region;
      if (!region || regions.includes(region)) return;
      const field = service.latticeDomain !== undefined ? 'latticeDomain' : 'domain';
      report(
        'lattice-region-mismatch',
        { part: 'services', path: ['services', index, field] },
        `${field} is a Lattice service in ${region}, but the fleet is deployed only in ${regions.join(', ')}`,
        `deploy an environment in ${region}, or use the service's name from a Region the fleet runs in`,
      );
    });
  },
});
