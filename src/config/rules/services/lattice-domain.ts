// latticeDomain overrides the upstream name; writing the domain itself again, or one upstream for two services, is
// almost always a copy-and-paste slip.
import { reportRepeats } from '../repeats.ts';
import { defineRule } from '../rule.ts';

export const latticeDomain = defineRule({
  name: 'lattice-domain',
  group: 'services',
  reads: ['services'],
  codes: {
    'lattice-domain-shared': {
      severity: 'warning',
      summary: 'two services forward to the same Lattice name',
    },
    'lattice-domain-redundant': { severity: 'warning', summary: '`latticeDomain` equals `domain`' },
  },
  check({ services }, { lineOf }, report) {
    const list = services.services;
    const shared = {
      part: 'services',
      list: 'services',
      field: 'latticeDomain',
      what: 'latticeDomain',
      valueIn: (service: (typeof list)[number]) => service.latticeDomain,
    } as const;
    reportRepeats(list, shared, 'lattice-domain-shared', report, lineOf);
    list.forEach((service, index) => {
      if (service.latticeDomain === undefined || service.latticeDomain !== service.domain) return;
      report(
        'lattice-domain-redundant',
        { part: 'services', path: ['services', index, 'latticeDomain'] },
        'latticeDomain is the same as domain',
        'omit latticeDomain when clients use the Lattice-generated name',
      );
    });
  },
});
