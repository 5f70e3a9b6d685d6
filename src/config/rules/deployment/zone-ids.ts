// Zone IDs name the same zones in every account. They must be zones of the environment's Region that VPC Lattice
// supports, each once, and replace zone names rather than add to them.
import { LATTICE_UNSUPPORTED_ZONE_IDS } from '../../model.ts';
import { defineRule } from '../rule.ts';

/** The zone ID prefix of a Region, e.g. euw1 for eu-west-1 and apne1 for ap-northeast-1. */
export function zoneIdPrefix(region: string): string {
  const [area, ...rest] = region.split('-');
  const number = rest.pop();
  const direction = (word: string) =>
    word.replace(/north|south|east|west|central/g, (part) => part.charAt(0));
  return `${area}${rest.map(direction).join('')}${number}`;
}

export const zoneIds = defineRule({
  name: 'zone-ids',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'az-ids-and-names': {
      severity: 'error',
      summary: '`availabilityZones` and `availabilityZoneIds` both given',
    },
    'az-id-region-mismatch': { severity: 'error', summary: "a zone ID outside the environment's Region" },
    'az-id-not-lattice': {
      severity: 'error',
      summary:
        'a zone VPC Lattice does not support (use1-az3, usw1-az2, apne1-az3, apne2-az2, euc1-az2, euw1-az4, cac1-az3, ilc1-az2)',
    },
    'az-id-duplicate': { severity: 'error', summary: 'a zone ID listed twice' },
  },
  check({ deployment }, _context, report) {
    deployment.environments.forEach((env, index) => {
      const ids = env.availabilityZoneIds;
      if (!ids) return;
      if (env.availabilityZones) {
        report(
          'az-ids-and-names',
          { part: 'deployment', path: ['environments', index, 'availabilityZoneIds'] },
          'availabilityZones and availabilityZoneIds are both given',
          'keep one: zone IDs name the same zones in every account, zone names do not',
        );
        return;
      }
      const prefix = zoneIdPrefix(env.region);
      ids.forEach((id, z) => {
        const at = { part: 'deployment', path: ['environments', index, 'availabilityZoneIds', z] } as const;
        if (!id.startsWith(`${prefix}-`)) {
          report(
            'az-id-region-mismatch',
            at,
            `${id} is not a zone of the environment's Region ${env.region}`,
            `use zone IDs of ${env.region}, e.g. ${prefix}-az1`,
          );
        } else if ((LATTICE_UNSUPPORTED_ZONE_IDS as readonly string[]).includes(id)) {
          report(
            'az-id-not-lattice',
            at,
            `${id} is a zone VPC Lattice does not support: the proxy could not reach the service network from it`,
            `choose another zone of ${env.region}; aws ec2 describe-availability-zones --region ${env.region} lists them`,
          );
        } else if (ids.indexOf(id) !== z) {
          report('az-id-duplicate', at, `${id} is listed twice`, 'list three different zones');
        }
      });
    });
  },
});
