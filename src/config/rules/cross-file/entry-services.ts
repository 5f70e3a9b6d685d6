// An allowlist entry's `services` names services of services.yaml, each once: a misspelt name would silently
// give the client less access than intended, and a list with a repeat is a slip.
import { closestMatch } from '../../suggest.ts';
import { defineRule } from '../rule.ts';

export const entryServices = defineRule({
  name: 'entry-services',
  group: 'cross-file',
  reads: ['allowlist', 'services'],
  codes: {
    'entry-service-unknown': {
      severity: 'error',
      summary: "an entry's `services` names a service that services.yaml does not define",
    },
    'entry-service-duplicate': { severity: 'error', summary: "an entry's `services` names a service twice" },
  },
  check({ allowlist, services }, _context, report) {
    const known = services.services.map((service) => service.name);
    allowlist.entries.forEach((entry, index) => {
      entry.services?.forEach((name, position) => {
        const at = { part: 'allowlist' as const, path: ['entries', index, 'services', position] };
        if (!known.includes(name)) {
          const suggestion = closestMatch(name, known);
          report(
            'entry-service-unknown',
            at,
            `services.yaml has no service named "${name}"`,
            suggestion ? `did you mean "${suggestion}"?` : `name one of: ${known.join(', ')}`,
          );
        } else if (entry.services?.indexOf(name) !== position) {
          report('entry-service-duplicate', at, `"${name}" is listed twice`, 'list each service once');
        }
      });
    });
  },
});
