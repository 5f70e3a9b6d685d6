// Each port is one listener route per service; listing it twice says nothing more and hides a typo.
import { defineRule } from '../rule.ts';

export const ports = defineRule({
  name: 'ports',
  group: 'services',
  reads: ['services'],
  codes: { 'port-duplicate': { severity: 'error', summary: 'a port listed twice' } },
  check({ services }, _context, report) {
    services.services.forEach((service, index) => {
      const repeated = service.ports.find((port, i) => service.ports.indexOf(port) !== i);
      if (repeated === undefined) return;
      report(
        'port-duplicate',
        { part: 'services', path: ['services', index, 'ports'] },
        `port ${repeated} is listed twice`,
        'list it once',
      );
    });
  },
});
