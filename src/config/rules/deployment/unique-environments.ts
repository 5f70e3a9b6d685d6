// Environments are told apart by name, and each deploys through its own GitHub environment: two sharing one would
// share protection rules and deployment history.
import { type Environment, githubEnvironment } from '../../model.ts';
import { reportRepeats } from '../repeats.ts';
import { defineRule } from '../rule.ts';

export const uniqueEnvironments = defineRule({
  name: 'unique-environments',
  group: 'deployment',
  reads: ['deployment'],
  codes: {
    'environment-duplicate': { severity: 'error', summary: 'environment names are unique' },
    'github-environment-duplicate': {
      severity: 'error',
      summary: 'each environment deploys through its own GitHub environment',
    },
  },
  check({ deployment }, { lineOf }, report) {
    const field = (field: 'name' | 'github', what: string, valueIn: (env: Environment) => string) =>
      ({ part: 'deployment', list: 'environments', field, what, valueIn }) as const;
    const list = deployment.environments;
    reportRepeats(
      list,
      field('name', 'environment name', (e) => e.name),
      'environment-duplicate',
      report,
      lineOf,
    );
    reportRepeats(
      list,
      field('github', 'GitHub environment', githubEnvironment),
      'github-environment-duplicate',
      report,
      lineOf,
    );
  },
});
