// The merge-to-replaced estimate: pure arithmetic, reading settings from a template, and the documented figure.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extractGeneratedBlock } from '../../scripts/generated-block.ts';
import { renderProxy, renderTargetFor } from '../../src/render/render.ts';
import {
  ASSUMPTIONS,
  CONDITIONS,
  comparisonForConfig,
  conjuncts,
  criticalPath,
  DOCS_FILE,
  docsBlock,
  estimateRollout,
  inlineCalledWorkflows,
  JOB_START,
  parseWorkflow,
  REFERENCE_DESIGN,
  ROLLOUT_TIME_BLOCK,
  type RolloutSettings,
  rolloutSettingsFromTemplate,
  SERVING_GOAL_SECONDS,
  STEP_SECONDS,
  SUITE_RUNS,
  workflowPath,
} from '../rollout-time.ts';
import { EXAMPLE_CONFIG_DIR, exampleConfig, SYNTH_TIMEOUT_MS } from './fixtures.ts';

const WORKFLOW_SECONDS = 100;

const OURS: RolloutSettings = {
  ...REFERENCE_DESIGN,
  healthCheckProtocol: 'HTTP',
  healthyThreshold: 2,
  deregistrationDelaySeconds: 30,
  gracePeriodSeconds: 30,
  desiredCount: 2,
  automatic: true,
};

describe('estimateRollout', () => {
  it('adds pipeline, start, registration, health checks, draining and stop for one batch', () => {
    const estimate = estimateRollout(OURS, WORKFLOW_SECONDS);
    expect(estimate.batches).toBe(1);
    expect(estimate.totalSeconds).toBe(
      WORKFLOW_SECONDS +
        ASSUMPTIONS.taskStartSeconds +
        ASSUMPTIONS.targetRegistrationSeconds +
        2 * 5 +
        30 +
        ASSUMPTIONS.shutdownSeconds,
    );
  });

  it('counts every task serving once the last new tasks are healthy, before the old ones have drained', () => {
    const estimate = estimateRollout(OURS, WORKFLOW_SECONDS);
    expect(estimate.servingSeconds).toBe(
      WORKFLOW_SECONDS + ASSUMPTIONS.taskStartSeconds + ASSUMPTIONS.targetRegistrationSeconds + 2 * 5,
    );
    const twoBatches = estimateRollout({ ...OURS, desiredCount: 4, maxPercent: 150 }, WORKFLOW_SECONDS);
    expect(twoBatches.totalSeconds - twoBatches.servingSeconds).toBe(30 + ASSUMPTIONS.shutdownSeconds);
  });

  it('repeats the per-task steps for every batch the maximum percent allows', () => {
    const estimate = estimateRollout({ ...OURS, desiredCount: 4, maxPercent: 150 }, WORKFLOW_SECONDS);
    expect(estimate.batchSize).toBe(2);
    expect(estimate.batches).toBe(2);
    expect(estimateRollout({ ...OURS, desiredCount: 3, maxPercent: 110 }, WORKFLOW_SECONDS).batches).toBe(3);
  });

  it('is several minutes faster than the reference design, mostly from the deregistration delay', () => {
    const ours = estimateRollout(OURS, WORKFLOW_SECONDS);
    const reference = estimateRollout(REFERENCE_DESIGN, WORKFLOW_SECONDS);
    expect(reference.totalSeconds - ours.totalSeconds).toBe(300 - 30 + 5 * (3 - 2));
  });
});

describe('rolloutSettingsFromTemplate', () => {
  const template = (attributes: { Key: string; Value: string }[]) => ({
    Resources: {
      Tg: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: {
          HealthCheckProtocol: 'HTTP',
          HealthCheckIntervalSeconds: 10,
          HealthyThresholdCount: 3,
          TargetGroupAttributes: attributes,
        },
      },
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: {
          DesiredCount: 4,
          HealthCheckGracePeriodSeconds: 45,
          DeploymentConfiguration: { MinimumHealthyPercent: 50, MaximumPercent: 100 },
          LoadBalancers: [{ TargetGroupArn: { Ref: 'Tg' } }],
        },
      },
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ StopTimeout: 90 }] } },
    },
  });

  it('reads health checks, draining, deployment configuration and stop timeout', () => {
    expect(
      rolloutSettingsFromTemplate(template([{ Key: 'deregistration_delay.timeout_seconds', Value: '25' }])),
    ).toEqual({
      healthCheckProtocol: 'HTTP',
      healthCheckIntervalSeconds: 10,
      healthyThreshold: 3,
      unhealthyThreshold: 2,
      deregistrationDelaySeconds: 25,
      gracePeriodSeconds: 45,
      minHealthyPercent: 50,
      maxPercent: 100,
      desiredCount: 4,
      stopTimeoutSeconds: 90,
      automatic: true,
    });
  });

  it('applies the 300 s default when no deregistration delay is set', () => {
    expect(rolloutSettingsFromTemplate(template([])).deregistrationDelaySeconds).toBe(300);
  });

  it('refuses a template without exactly one ECS service', () => {
    expect(() => rolloutSettingsFromTemplate({ Resources: {} })).toThrow(/one ECS service/);
  });
});

const step = (seconds: number) => ({ seconds, why: 'test' });
const rolloutStart = (seconds: number) => ({ ...step(seconds), startsRollout: true as const });
/** Durations of the steps both test workflows share. */
const COMMON_DURATIONS = {
  'uses:actions/checkout': step(3),
  'run:npm test': step(100),
  'run:echo list': step(7),
};

/** Two jobs with no needs, before the deploy job of both test workflows. */
const PREDECESSOR_JOBS = `  test:
    steps:
      - uses: actions/checkout@0123 # v6
      - run: npm test
  environments:
    steps:
      - run: echo list
`;

describe('criticalPath', () => {
  const durations = {
    ...COMMON_DURATIONS,
    'id:registry': step(30),
    'id:ingress': step(40),
    'uses:./actions/deploy-infra': step(1),
    'uses:./actions/rollout': rolloutStart(15),
  };
  const workflow = `jobs:
${PREDECESSOR_JOBS}  deploy:
    needs: [test, environments]
    steps:
      - uses: actions/checkout@0123
      - id: registry
        uses: ./actions/deploy-infra
      - id: ingress
        uses: ./actions/deploy-infra
      - uses: ./actions/deploy-infra
      - id: rollout
        uses: ./actions/rollout
      - id: smoke
        uses: ./actions/smoke
      - name: Roll back
        if: \${{ failure() && steps.rollout.outcome == 'failure' }}
        uses: ./actions/rollback
`;

  it('follows the longest chain of needs, then the rollout job up to its rollout step', () => {
    const path = criticalPath(parseWorkflow(workflow, 'deploy.yml'), durations);
    expect(path.steps.map((s) => `${s.job} ${s.step}`)).toEqual([
      'test job start',
      'test uses:actions/checkout',
      'test run:npm test',
      'deploy job start',
      'deploy uses:actions/checkout',
      'deploy id:registry',
      'deploy id:ingress',
      'deploy uses:./actions/deploy-infra',
      'deploy uses:./actions/rollout',
    ]);
    expect(path.seconds).toBe(2 * JOB_START.seconds + 3 + 100 + 3 + 30 + 40 + 1 + 15);
  });

  it('takes a shorter predecessor when it becomes the longest', () => {
    const path = criticalPath(parseWorkflow(workflow, 'deploy.yml'), {
      ...durations,
      'run:echo list': step(500),
    });
    expect(path.steps[1]).toMatchObject({ job: 'environments', step: 'run:echo list' });
  });

  it('names the step, where it is and the keys to add when a step has no assumed duration', () => {
    const { 'id:ingress': _, 'uses:./actions/deploy-infra': __, ...withoutIngress } = durations;
    expect(() => criticalPath(parseWorkflow(workflow, 'deploy.yml'), withoutIngress)).toThrow(
      "deploy.yml:15:9: no assumed duration for this step; add one of 'id:ingress', 'uses:./actions/deploy-infra' to STEP_SECONDS",
    );
  });

  it('decides conditional jobs and steps by CONDITIONS, and names an unknown condition and where it is', () => {
    const gated = workflow
      .replace('  test:\n', "  test:\n    if: needs.check.outputs.tested != 'true'\n")
      .replace(
        '      - id: ingress\n',
        `      - id: ingress\n        if: \${{ steps.changes.outputs.ingress == 'true' }}\n`,
      );
    const parsed = parseWorkflow(gated, 'deploy.yml');
    expect(() => criticalPath(parsed, durations, {})).toThrow(
      "deploy.yml:3:5: job test runs only if `needs.check.outputs.tested != 'true'`; add that condition to CONDITIONS",
    );
    const skipped = criticalPath(parsed, durations, {
      "needs.check.outputs.tested != 'true'": false,
      "steps.changes.outputs.ingress == 'true'": false,
    });
    expect(skipped.steps.map((s) => `${s.job} ${s.step}`)).toEqual([
      'environments job start',
      'environments run:echo list',
      'deploy job start',
      'deploy uses:actions/checkout',
      'deploy id:registry',
      'deploy uses:./actions/deploy-infra',
      'deploy uses:./actions/rollout',
    ]);
    const run = criticalPath(parsed, durations, {
      "needs.check.outputs.tested != 'true'": true,
      "steps.changes.outputs.ingress == 'true'": true,
    });
    expect(run.seconds).toBe(criticalPath(parseWorkflow(workflow, 'deploy.yml'), durations).seconds);
  });

  it('decides a condition joined by && from its parts, and names the part that is not listed', () => {
    const gated = workflow.replace(
      '      - id: ingress\n',
      `      - id: ingress\n        if: \${{ steps.guard.outputs.deploy == 'true' && (steps.changes.outputs.ingress == 'true' || inputs.force) }}\n`,
    );
    const parsed = parseWorkflow(gated, 'deploy.yml');
    const guard = "steps.guard.outputs.deploy == 'true'";
    const changed = "steps.changes.outputs.ingress == 'true' || inputs.force";
    const ingress = (conditions: Record<string, boolean>) =>
      criticalPath(parsed, durations, conditions).steps.some((s) => s.step === 'id:ingress');
    expect(ingress({ [guard]: true, [changed]: true })).toBe(true);
    expect(ingress({ [guard]: true, [changed]: false })).toBe(false);
    expect(ingress({ [guard]: false, [changed]: true })).toBe(false);
    // Listed as a whole, the condition is taken as it is.
    expect(ingress({ [`${guard} && (${changed})`]: false, [guard]: true, [changed]: true })).toBe(false);
    expect(() => criticalPath(parsed, durations, { [guard]: true })).toThrow(
      `deploy.yml:15:9: the step runs only if \`${guard} && (${changed})\`; add \`${changed}\` to CONDITIONS`,
    );
  });

  it('splits only a conjunction at the top level, outside parentheses and quotes', () => {
    expect(conjuncts("a == 'x' && (b || c) && !d")).toEqual(["a == 'x'", 'b || c', '!d']);
    expect(conjuncts('a && b || c')).toEqual(['a && b || c']);
    expect(conjuncts("a == '&&' && ((b))")).toEqual(["a == '&&'", 'b']);
    expect(conjuncts('(a) || (b)')).toEqual(['(a) || (b)']);
  });

  it('refuses a workflow without a rollout step, a missing need and jobs that need each other', () => {
    const parse = (text: string) => criticalPath(parseWorkflow(text, 'w.yml'), durations);
    expect(() => parse('jobs:\n  a:\n    steps:\n      - run: npm test\n')).toThrow(
      'no step on the success path starts the rollout; mark the entry in STEP_SECONDS',
    );
    expect(() => parse('jobs:\n  a:\n    needs: b\n    steps:\n      - uses: ./actions/rollout\n')).toThrow(
      'job a needs b, which the workflow does not have',
    );
    expect(() =>
      parse('jobs:\n  a:\n    needs: b\n    steps:\n      - uses: ./actions/rollout\n  b:\n    needs: a\n'),
    ).toThrow('jobs need each other: a -> b -> a');
  });

  it('ends at the first step on the success path that starts the rollout', () => {
    // deploy-infra given the image tag rolls the service out itself; the rollout action after it only follows.
    const infraStarts = { ...durations, 'id:ingress': rolloutStart(40) };
    const path = criticalPath(parseWorkflow(workflow, 'deploy.yml'), infraStarts);
    expect(path.steps.at(-1)).toMatchObject({ job: 'deploy', step: 'id:ingress' });
    expect(path.seconds).toBe(2 * JOB_START.seconds + 3 + 100 + 3 + 30 + 40);
    const gated = workflow.replace(
      '      - id: ingress\n',
      `      - id: ingress\n        if: \${{ steps.stacks.outputs.exists == 'true' }}\n`,
    );
    const firstDeployment = criticalPath(parseWorkflow(gated, 'deploy.yml'), infraStarts, {
      "steps.stacks.outputs.exists == 'true'": false,
    });
    expect(firstDeployment.steps.at(-1)).toMatchObject({ job: 'deploy', step: 'uses:./actions/rollout' });
  });

  it('has a stated reason for every assumed duration', () => {
    for (const [key, time] of Object.entries(STEP_SECONDS)) {
      expect(key).toMatch(/^(id|uses|name|run):./);
      expect(time.why.length, key).toBeGreaterThan(10);
    }
  });
});

describe('inlineCalledWorkflows', () => {
  const durations = {
    ...COMMON_DURATIONS,
    'uses:docker/setup-buildx-action': step(6),
    'id:infra': rolloutStart(35),
    'uses:./actions/smoke': step(20),
  };
  const caller = `jobs:
${PREDECESSOR_JOBS}  deploy:
    needs: [test, environments]
    uses: ./.github/workflows/env.yml
  after:
    needs: deploy
    steps:
      - run: echo list
`;
  const called = `on: workflow_call
jobs:
  deploy:
    steps:
      - uses: actions/checkout@0123
      - uses: docker/setup-buildx-action@0123
      - id: infra
        uses: ./actions/deploy-infra
      - uses: ./actions/smoke
  verify:
    needs: deploy
    if: \${{ inputs.smoke-runner != '' }}
    steps:
      - uses: ./actions/smoke
`;
  const files: Record<string, string> = { '.github/workflows/env.yml': called };
  const read = async (path: string) => {
    const text = files[path];
    if (text === undefined) throw new Error(`no such file ${path}`);
    return parseWorkflow(text, path);
  };
  const inline = (text: string, reader = read) =>
    inlineCalledWorkflows(parseWorkflow(text, 'deploy.yml'), reader);

  it("follows a local reusable workflow: the caller's needs, then the called jobs up to the rollout", async () => {
    const path = criticalPath(await inline(caller), durations, {});
    expect(path.steps.map((s) => `${s.job} ${s.step}`)).toEqual([
      'test job start',
      'test uses:actions/checkout',
      'test run:npm test',
      'deploy/deploy job start',
      'deploy/deploy uses:actions/checkout',
      'deploy/deploy uses:docker/setup-buildx-action',
      'deploy/deploy id:infra',
    ]);
    expect(path.seconds).toBe(2 * JOB_START.seconds + 3 + 100 + 3 + 6 + 35);
  });

  it("keeps the called workflow's needs, and the caller's name for the jobs that need it", async () => {
    const jobs = await inline(caller);
    expect(jobs.get('deploy/deploy')?.needs).toEqual(['test', 'environments']);
    expect(jobs.get('deploy/verify')?.needs).toEqual(['deploy/deploy']);
    expect(jobs.get('deploy')).toMatchObject({ needs: ['deploy/deploy', 'deploy/verify'], inlined: true });
    expect(jobs.get('after')?.needs).toEqual(['deploy']);
  });

  it("gates the called jobs by the caller's if:, and names an unknown condition where it is written", async () => {
    const gated = caller.replace(
      '    uses: ./.github',
      "    if: github.ref == 'refs/heads/main'\n    uses: ./.github",
    );
    const jobs = await inline(gated);
    expect(() => criticalPath(jobs, durations, {})).toThrow(
      "deploy.yml:10:5: job deploy runs only if `github.ref == 'refs/heads/main'`; add that condition to CONDITIONS",
    );
    expect(() => criticalPath(jobs, durations, { "github.ref == 'refs/heads/main'": false })).toThrow(
      'no step on the success path starts the rollout',
    );
  });

  it('names the step of the called workflow, in its own file, that has no assumed duration', async () => {
    const { 'uses:docker/setup-buildx-action': _, ...withoutBuildx } = durations;
    const jobs = await inline(caller);
    expect(() => criticalPath(jobs, withoutBuildx, {})).toThrow(
      ".github/workflows/env.yml:6:9: no assumed duration for this step; add one of 'uses:docker/setup-buildx-action' to STEP_SECONDS",
    );
  });

  it('follows a called workflow that calls another, and refuses workflows that call each other', async () => {
    const nested: Record<string, string> = {
      '.github/workflows/outer.yml': 'jobs:\n  env:\n    uses: ./.github/workflows/env.yml\n',
      '.github/workflows/env.yml': called,
    };
    const readNested = async (path: string) => parseWorkflow(nested[path] ?? '', path);
    const jobs = await inline(caller.replace('env.yml', 'outer.yml'), readNested);
    expect(jobs.get('deploy/env/deploy')?.needs).toEqual(['test', 'environments']);
    expect(criticalPath(jobs, durations, {}).steps.at(-1)).toMatchObject({ job: 'deploy/env/deploy' });
    const loop = async (path: string) =>
      parseWorkflow('jobs:\n  again:\n    uses: ./.github/workflows/env.yml\n', path);
    await expect(inline(caller, loop)).rejects.toThrow(
      '.github/workflows/env.yml:3:5: workflows call each other: .github/workflows/env.yml -> .github/workflows/env.yml',
    );
  });

  it("refuses another repository's workflow, whose jobs cannot be read, with where it is called", async () => {
    const remote = caller.replace(
      './.github/workflows/env.yml',
      'example-org/shared/.github/workflows/d.yml@v1',
    );
    await expect(inline(remote)).rejects.toThrow(
      'deploy.yml:10:5: job deploy calls example-org/shared/.github/workflows/d.yml@v1, a workflow of another repository',
    );
  });
});

describe('the deploy workflow', () => {
  it('skips the suite the pull request ran, builds without emulation and rolls out in the one cdk deploy', async () => {
    const path = await workflowPath();
    const steps = path.steps.map((s) => `${s.job} ${s.step}`);
    expect(steps).not.toContain('test run:npm test');
    expect(steps).not.toContain('stage-1/deploy id:registry');
    expect(steps.some((s) => s.includes('qemu'))).toBe(false);
    expect(steps.slice(-3)).toEqual([
      'stage-1/deploy id:stacks',
      'stage-1/deploy id:image',
      'stage-1/deploy id:infra',
    ]);
  });

  it('runs the suite, the longest predecessor then, when no pull request gate passed on the merged tree', async () => {
    const tested = await workflowPath();
    const untested = await workflowPath(undefined, { ...CONDITIONS, [SUITE_RUNS]: true });
    const testJob = untested.steps.filter((s) => s.job === 'test');
    expect(testJob.map((s) => s.step)).toEqual([
      'job start',
      'uses:actions/checkout',
      'id:tested',
      'uses:actions/setup-node',
      'run:npm test',
    ]);
    const deploy = (path: { steps: { job: string }[] }) =>
      path.steps.filter((s) => s.job.startsWith('stage-1/'));
    expect(deploy(untested)).toEqual(deploy(tested));
    expect(untested.steps.length - deploy(untested).length).toBe(testJob.length);
  });

  it('reaches the rollout without a Node.js set-up or npm ci before the first stage, and restores its node_modules', async () => {
    const path = await workflowPath();
    const before = path.steps.filter((s) => !s.job.startsWith('stage-1/')).map((s) => s.step);
    expect(before).toEqual(['job start', 'uses:actions/checkout', 'id:tested']);
    const deploy = path.steps.filter((s) => s.job === 'stage-1/deploy').map((s) => s.step);
    expect(deploy).toContain('uses:actions/cache');
    expect(deploy.filter((s) => s.includes('npm ci'))).toEqual([]);
  });

  it("runs the first environment's order guard inside its deploy job, before anything is built or deployed", async () => {
    const path = await workflowPath();
    expect([...new Set(path.steps.map((s) => s.job))]).toEqual(['test', 'stage-1/deploy']);
    const deploy = path.steps.filter((s) => s.job === 'stage-1/deploy').map((s) => s.step);
    expect(deploy.slice(0, deploy.indexOf('id:guard') + 1)).toEqual([
      'job start',
      'uses:actions/checkout',
      'uses:actions/setup-node',
      'id:guard',
    ]);
    // The rollout starts only because the guard let the commit through.
    const refused = { ...CONDITIONS, "steps.guard.outputs.deploy == 'true'": false };
    await expect(workflowPath(undefined, refused)).rejects.toThrow(
      'no step on the success path starts the rollout',
    );
  });

  it('installs with npm ci when the node_modules cache misses', async () => {
    const missed = await workflowPath(undefined, {
      ...CONDITIONS,
      "steps.modules.outputs.cache-hit != 'true'": true,
    });
    const tested = await workflowPath();
    expect(missed.steps.map((s) => s.step)).toContain('run:npm ci --no-audit --no-fund');
    expect(missed.seconds - tested.seconds).toBe(STEP_SECONDS['run:npm ci --no-audit --no-fund']?.seconds);
  });
});

// One synthesis for the tests below: the figures the documentation and the proxy's timers must agree with.
let synthesis: ReturnType<typeof synthesize> | undefined;
async function synthesize() {
  const path = await workflowPath();
  const suiteRuns = await workflowPath(undefined, { ...CONDITIONS, [SUITE_RUNS]: true });
  return { path, suiteRuns, comparisons: await comparisonForConfig(EXAMPLE_CONFIG_DIR, path.seconds) };
}
const synthesized = () => {
  synthesis ??= synthesize();
  return synthesis;
};

describe('documented figure', () => {
  it(
    'docs/infrastructure.md shows exactly what the synthesized templates and the deploy workflow give',
    async () => {
      const { path, suiteRuns, comparisons } = await synthesized();
      const documented = extractGeneratedBlock(await readFile(DOCS_FILE, 'utf8'), ROLLOUT_TIME_BLOCK);
      expect(
        documented,
        'run `npx tsx infra/rollout-time.ts --config test/fixtures/config/sample --write-docs`',
      ).toBe(docsBlock(comparisons, path, suiteRuns));
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'an allowlist-only change serves on every task within the goal, in every environment',
    async () => {
      const { comparisons } = await synthesized();
      for (const { name, estimate } of comparisons)
        expect(estimate.servingSeconds, name).toBeLessThanOrEqual(SERVING_GOAL_SECONDS);
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('draining and the proxy', () => {
  it(
    'the proxy ends every client keepalive connection before the deregistration delay resets it',
    async () => {
      // bench:rollout (docs/benchmarks.md): a busy keepalive connection never idles out, so without a lifetime
      // bound it is still open, with a request in flight, when the load balancer resets it.
      const config = await exampleConfig();
      const { comparisons } = await synthesized();
      for (const environment of config.deployment.environments) {
        const rendered = renderProxy(config, renderTargetFor(environment)).get('nginx.conf') ?? '';
        const lifetime = /^\s*keepalive_time (\d+)s;/m.exec(rendered);
        const delay = comparisons.find((c) => c.name === environment.name)?.estimate.settings;
        expect(lifetime, 'keepalive_time in the http block').not.toBeNull();
        expect(Number(lifetime?.[1])).toBeLessThan(delay?.deregistrationDelaySeconds ?? 0);
      }
    },
    SYNTH_TIMEOUT_MS,
  );
});
