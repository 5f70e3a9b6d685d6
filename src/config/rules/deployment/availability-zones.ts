// Pinned Availability Zones must be three different zones of the environment's own Region.
import { defineRule } from '../rule.ts';

export const availabilityZones = defineRule({
  name: 'availability-zones',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'az-region-mismatch': { severity: 'error', summary: 'an Availability Zone outside the Region' },
    'az-duplicate': { severity: 'error', summary: 'an Availability Zone listed twice' },
  },
  check({ deployment }, _context, report) {
    deployment.environments.forEach((env, index) => {
      (env.availabilityZones ?? []).forEach((zone, z, zones) => {
        const at = { part: 'deployment', path: ['environments', index, 'availabilityZones', z] } as const;
        if (zone.slice(0, -1) !== env.region) {
          report(
            'az-region-mismatch',
            at,
            `${zone} is not in the environment's Region ${env.region}`,
            `use zones of ${env.region}, e.g. ${env.region}a`,
          );
        } else if (zones.indexOf(zone) !== z) {
          report('az-duplicate', at, `${zone} is listed twice`, 'list three different zones');
        }
      });
    });
  },
});
