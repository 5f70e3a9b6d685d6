// An environment's Region must be a Region of a partition lattice-ingress deploys to: the pattern lets
// eu-wset-1 through, and CDK would only fail at deploy time.
import { KNOWN_REGIONS } from '../../regions.ts';
import { closestMatch } from '../../suggest.ts';
import { defineRule } from '../rule.ts';

export const region = defineRule({
  name: 'region',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'region-unknown': {
      severity: 'error',
      summary: '`region` names no Region of the aws, aws-cn or aws-us-gov partitions',
    },
  },
  check({ deployment }, _context, report) {
    deployment.environments.forEach((env, index) => {
      if (KNOWN_REGIONS.includes(env.region)) return;
      const meant = closestMatch(env.region, KNOWN_REGIONS);
      report(
        'region-unknown',
        { part: 'deployment', path: ['environments', index, 'region'] },
        `${env.region} is not an AWS Region`,
        meant
          ? `did you mean ${meant}?`
          : `use a Region code such as eu-west-1 (${KNOWN_REGIONS.length} are known)`,
      );
    });
  },
});
