// The workflows against the actions they call and the hardening rules (rules.ts), and broken copies of the real
// workflows to show each rule fails with a message that says what to fix.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  checkWorkflow,
  expr,
  formatFindings,
  loadActions,
  loadWorkflows,
  type Workflow,
  workflowContext,
} from './rules.ts';

const root = resolve(import.meta.dirname, '../..');
const workflowDir = join(root, '.github', 'workflows');
const workflows = readdirSync(workflowDir).filter((f) => /\.ya?ml$/.test(f));
const actions = loadActions(root);
const localWorkflows = loadWorkflows(root);
const read = (file: string) => readFileSync(join(workflowDir, file), 'utf8');
const context = (file: string, source: string) => workflowContext(file, source, actions, localWorkflows);

/** A copy of a real workflow with one edit; the edit must apply, so a reshaped workflow fails loudly here. */
function brokenCopy(file: string, from: string, to: string) {
  const source = read(file);
  expect(source, `${file} no longer contains the text this test breaks`).toContain(from);
  return checkWorkflow(context(file, source.replace(from, to)));
}

describe('workflows', () => {
  it.each(workflows)('%s passes every rule', (file) => {
    expect(formatFindings(file, checkWorkflow(context(file, read(file))))).toBe('');
  });

  it('call every action the deployment model needs', () => {
    const used = new Set(workflows.flatMap((f) => read(f).match(/uses: \.\/actions\/[a-z-]+/g) ?? []));
    for (const name of ['validate', 'build-push', 'deploy-infra', 'rollout', 'rollback', 'smoke']) {
      expect(used).toContain(`uses: ./actions/${name}`);
    }
  });

  it('serialise a deploy, its verification and a rollback of one environment in one group', () => {
    const group = (file: string, job: string) => {
      const concurrency = (parse(read(file)) as Workflow).jobs[job]?.concurrency;
      return typeof concurrency === 'object' ? concurrency.group : concurrency;
    };
    // Both are the environment's name in deployment.yaml, as `lattice-ingress environments --json` prints it. The
    // deploy's group is held by the stage job calling deploy-environment.yml, so it covers the deploy job (the order
    // guard included) and the verify job.
    for (const [index, stage] of ['stage-1', 'stage-2', 'stage-3', 'stage-4'].entries()) {
      expect(group('deploy.yml', stage)).toBe(
        `deploy-${expr(`fromJSON(needs.environments.outputs.all)[${index}].name`)}`,
      );
    }
    expect(group('rollback.yml', 'rollback')).toBe(
      `deploy-${expr('fromJSON(needs.environment.outputs.entry)[0].name')}`,
    );
  });
});

describe('a broken copy of a workflow fails the rules', () => {
  const broken: [string, string, string, string, string][] = [
    // [what, file, replace this, with this, expected message fragment]
    [
      'unknown input',
      'deploy-environment.yml',
      '          stacks: registry\n',
      '          stacks: registry\n          stack-name: registry\n',
      'passes unknown input "stack-name" to ./actions/deploy-infra',
    ],
    [
      'missing required input',
      'deploy-environment.yml',
      `\n          image-tag: ${expr('steps.image.outputs.image-tag')}\n          timeout-minutes: 20\n`,
      '\n          timeout-minutes: 20\n',
      'does not pass required input "image-tag" of ./actions/rollout',
    ],
    [
      'output nobody produces',
      'deploy-environment.yml',
      'steps.ingress.outputs.public-endpoint',
      'steps.ingress.outputs.public-endpoints',
      'declares no output "public-endpoints"',
    ],
    [
      'job output nobody declares',
      'deploy.yml',
      'needs.environments.outputs.all',
      'needs.environments.outputs.everything',
      'but jobs.environments declares no output "everything"',
    ],
    [
      'missing local action',
      'pr.yml',
      'uses: ./actions/validate',
      'uses: ./actions/validation',
      'uses ./actions/validation, which has no action.yml',
    ],
    [
      'unpinned action',
      'pr.yml',
      'actions/checkout@1af3b93b6815bc44a9784bd300feb67ff0d1eeb3 # v6.0.0',
      'actions/checkout@v6',
      'uses actions/checkout@v6: pin it to a full commit SHA',
    ],
    [
      'SHA without its version',
      'rollback.yml',
      'aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838 # v5.0.0',
      'aws-actions/configure-aws-credentials@a03048d87541d1d9fcf2ecf528a4a65ba9bd7838',
      'without a "# vX.Y.Z" comment',
    ],
    [
      'missing id-token permission',
      'rollback.yml',
      '      id-token: write\n',
      '',
      'jobs.rollback uses aws-actions/configure-aws-credentials without id-token: write',
    ],
    [
      'id-token on a job that assumes no role',
      'pr.yml',
      '    permissions:\n      contents: read\n',
      '    permissions:\n      contents: read\n      id-token: write\n',
      'jobs.changes has id-token: write but assumes no AWS role',
    ],
    [
      'expression in run:',
      'rollback.yml',
      '--only "$ENVIRONMENT"',
      `--only "${expr('inputs.environment')}"`,
      'expands ${{ inputs.',
    ],
    [
      'matrix value in run:',
      'pr.yml',
      '"$ENVIRONMENT" "$VARIABLE" "$ENVIRONMENT"',
      `"$ENVIRONMENT" "${expr('matrix.previewRoleVariable')}" "$ENVIRONMENT"`,
      'expands ${{ matrix.',
    ],
    [
      'reserved variable name',
      'deploy-environment.yml',
      'GH_ENVIRONMENT: ',
      'GITHUB_ENVIRONMENT: ',
      'sets env GITHUB_ENVIRONMENT: names starting with GITHUB_ or RUNNER_ are the runner',
    ],
    [
      'write token next to pull request code',
      'pr.yml',
      '    permissions:\n      contents: read\n    steps:\n      - uses: actions/checkout',
      '    permissions:\n      contents: read\n      pull-requests: write\n    steps:\n      - uses: actions/checkout',
      'jobs.test has pull-requests: write and checks out the pull request',
    ],
    [
      'pull_request_target',
      'pr.yml',
      '  pull_request:\n',
      '  pull_request_target:\n',
      'uses pull_request_target',
    ],
    [
      'checkout keeping the token',
      'deploy.yml',
      'persist-credentials: false',
      'persist-credentials: true',
      'checks out without persist-credentials: false',
    ],
    [
      'job without timeout',
      'rollback.yml',
      '    timeout-minutes: 40\n',
      '',
      'jobs.rollback has no timeout-minutes',
    ],
    [
      'write-all token',
      'pr.yml',
      'permissions: {}',
      'permissions: write-all',
      'top-level permissions: write-all',
    ],
    [
      'cancellable deploy',
      'deploy.yml',
      'cancel-in-progress: false',
      'cancel-in-progress: true',
      'jobs.stage-1 deploys to an environment without concurrency',
    ],
    [
      'environment job serialised nowhere',
      'rollback.yml',
      '    concurrency:\n      group: deploy-',
      '    concurrency:\n      group: rollback-',
      'jobs.rollback deploys to an environment without concurrency',
    ],
    [
      'unknown input of a reusable workflow',
      'deploy.yml',
      '      partition: ',
      '      aws-partition: ',
      'jobs.stage-1 passes unknown input "aws-partition" to ./.github/workflows/deploy-environment.yml',
    ],
    [
      'required input of a reusable workflow not passed',
      'deploy.yml',
      `      smoke-runner: ${expr('fromJSON(needs.environments.outputs.all)[0].smokeRunner')}\n`,
      '',
      'jobs.stage-1 does not pass required input "smoke-runner" of ./.github/workflows/deploy-environment.yml',
    ],
    [
      'reusable workflow asking for more than the caller grants',
      'deploy.yml',
      '      id-token: write\n      deployments: write\n    uses:',
      '      id-token: write\n    uses:',
      'jobs.stage-1 calls ./.github/workflows/deploy-environment.yml, whose jobs.deploy needs deployments: write',
    ],
    [
      'calling a workflow that is not reusable',
      'deploy.yml',
      'uses: ./.github/workflows/deploy-environment.yml',
      'uses: ./.github/workflows/rollback.yml',
      'calls ./.github/workflows/rollback.yml, which is not a workflow with on.workflow_call',
    ],
    [
      'old Node.js',
      'pr.yml',
      'node-version: 24',
      'node-version: 20',
      'must set node-version: 24 and cache: npm',
    ],
  ];

  it.each(broken)('%s', (_what, file, from, to, expected) => {
    const findings = brokenCopy(file, from, to);
    expect(formatFindings(file, findings)).toContain(expected);
  });
});
