// A service is found by its name and its clients' domain; two services with the same one would be one route.
import type { Service } from '../../model.ts';
import { reportRepeats } from '../repeats.ts';
import { defineRule } from '../rule.ts';

export const uniqueNames = defineRule({
  name: 'unique-names',
  group: 'services',
  reads: ['services'],
  codes: {
    'service-name-duplicate': { severity: 'error', summary: 'service names are unique' },
    'domain-duplicate': { severity: 'error', summary: 'domains are unique across services' },
  },
  check({ services }, { lineOf }, report) {
    const list = services.services;
    const field = (field: 'name' | 'domain', what: string) => ({
      part: 'services' as const,
      list: 'services',
      field,
      what,
      valueIn: (service: Service) => service[field],
    });
    reportRepeats(list, field('name', 'service name'), 'service-name-duplicate', report, lineOf);
    reportRepeats(list, field('domain', 'domain'), 'domain-duplicate', report, lineOf);
  },
});
