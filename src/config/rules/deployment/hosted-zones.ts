// A hosted zone gets records only for a load balancer the mode creates; one without it is configured for nothing.
import { defineRule } from '../rule.ts';

export const hostedZones = defineRule({
  name: 'hosted-zones',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'hosted-zone-unused': {
      severity: 'warning',
      summary: 'a public zone with `mode: private`, or a private zone with `mode: public`',
    },
  },
  check({ deployment }, _context, report) {
    deployment.environments.forEach((env, index) => {
      const unused =
        env.mode === 'private' && env.hostedZones?.public
          ? 'public'
          : env.mode === 'public' && env.hostedZones?.private
            ? 'private'
            : undefined;
      if (!unused) return;
      report(
        'hosted-zone-unused',
        { part: 'deployment', path: ['environments', index, 'hostedZones', unused] },
        `the ${unused} hosted zone is not used: mode is ${env.mode}, so there is no ${unused === 'public' ? 'internet-facing' : 'internal'} load balancer`,
        `remove hostedZones.${unused}, or set mode: both`,
      );
    });
  },
});
