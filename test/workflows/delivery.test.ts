// How the workflows deliver a change, read from the workflow files: what a pull request must pass, what starts a
// deploy, the order environments are deployed and verified in, the roles the jobs assume, and where environment
// names come from. None of it reads config/: the workflows must work for any deployment.yaml.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { conjuncts } from '../../infra/rollout-time.ts';
import { GATE_CHECK } from '../../src/github/tested-tree.ts';
import { OWN_ENVIRONMENTS, ownConfigDir } from './own-config.ts';
import { expr, type Job, type Step, type Workflow } from './rules.ts';

const root = resolve(import.meta.dirname, '../..');
const text = (file: string) => readFileSync(join(root, '.github', 'workflows', file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow & Record<string, unknown>;
const job = (file: string, id: string) => workflow(file).jobs[id] as Job & Record<string, unknown>;
const step = (j: Job, name: string) => {
  const found = j.steps?.find((s) => s.name === name || s.id === name);
  expect(found, `no step "${name}"`).toBeDefined();
  return found as Step;
};
const WORKFLOWS = ['pr.yml', 'deploy.yml', 'deploy-environment.yml', 'rollback.yml'];
/** The order guard let the commit through: every step of the deploy job after the guard runs only then. */
const GUARD = "steps.guard.outputs.deploy == 'true'";
/** A deploy job step's condition after the guard: the guard's go-ahead, then the step's own condition if any. */
const afterGuard = (own?: string) => expr(own ? `${GUARD} && ${own}` : GUARD);

describe('deploy path filter', () => {
  const on = workflow('deploy.yml').on as { push: { paths: string[] } };
  const covered = (file: string) =>
    on.push.paths.some((pattern) =>
      pattern.endsWith('/**') ? file.startsWith(pattern.slice(0, -2)) : file === pattern,
    );

  /** Tracked files that no deploy reads, and why. Anything else the repository gains must start a deploy. */
  const NOT_READ_BY_A_DEPLOY: [RegExp, string][] = [
    [/^docs\//, 'documentation'],
    [/^test\//, 'the suite: the pull request gate runs it'],
    [/^README\.md$/, 'documentation'],
    [/^\.ci\//, 'the local CI entry point (npm test)'],
    [/^biome\.json$/, 'lint settings'],
    [/^vitest\.config\.ts$/, 'test runner settings'],
    [/^\.gitignore$/, 'git settings'],
    [/^scripts\//, 'local setup, benchmarks and the bundler; deploys use the committed bundles'],
    [/^\.github\/(dependabot|renovate)\.(yml|json)$/, 'update pull requests'],
    [/^\.github\/workflows\/(pr|rollback|expiry|revoke)\.yml$/, 'other workflows'],
  ];

  it('covers every tracked file a deploy reads', () => {
    const files = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
      .split('\n')
      .filter(Boolean);
    const unclassified = files.filter(
      (file) => !covered(file) && !NOT_READ_BY_A_DEPLOY.some(([pattern]) => pattern.test(file)),
    );
    expect(
      unclassified,
      'add these to deploy.yml on.push.paths, or to NOT_READ_BY_A_DEPLOY with a reason',
    ).toEqual([]);
  });

  it('covers what the deploy jobs name: the CDK app, the local actions and workflows, the scripts they run', () => {
    const cdk = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { app: string };
    const read = ['deploy.yml', 'deploy-environment.yml'].map(text).join('\n');
    const named = [
      'cdk.json',
      ...(cdk.app.match(/[\w./-]+\.ts\b/g) ?? []),
      ...[...read.matchAll(/uses: \.\/((?:actions|\.github\/workflows)\/[\w.-]+)/g)].map((m) =>
        m[1]?.endsWith('.yml') ? m[1] : `${m[1]}/action.yml`,
      ),
      ...[...read.matchAll(/\b(?:node|tsx) ((?:\.github|bin|src|infra)\/[\w./-]+)/g)].map((m) => m[1] ?? ''),
    ];
    expect(named).toEqual(expect.arrayContaining(['infra/bin/app.ts', 'actions/tested-tree/action.yml']));
    expect(named.filter((file) => !covered(file))).toEqual([]);
  });

  it('can also be started by hand to redeploy', () => {
    expect(workflow('deploy.yml').on).toHaveProperty('workflow_dispatch');
  });
});

describe('deploy order', () => {
  const deploy = workflow('deploy.yml');
  const stages = Object.keys(deploy.jobs).filter((id) => id.startsWith('stage-'));
  const entry = (index: number, field: string) =>
    expr(`fromJSON(needs.environments.outputs.all)[${index}].${field}`);

  // GitHub does not define the order of a matrix's legs, max-parallel 1 included (actions/runner#483, #703): the
  // stages are jobs of their own, each needing the one before.
  it('deploys the environments in stages chained by needs, never by a matrix', () => {
    expect(Object.values(deploy.jobs).filter((j) => j.strategy !== undefined)).toEqual([]);
    expect(stages).toEqual(['stage-1', 'stage-2', 'stage-3', 'stage-4']);
    stages.forEach((id, index) => {
      const stage = job('deploy.yml', id);
      expect(stage.uses).toBe('./.github/workflows/deploy-environment.yml');
      expect(stage.with).toMatchObject({ environment: entry(index, 'name'), region: entry(index, 'region') });
      if (index === 0) {
        expect(stage.needs).toEqual(['test', 'environments']);
        return;
      }
      expect(stage.needs).toEqual(['environments', `stage-${index}`]);
      // After the environment before deployed AND verified this commit: not when it failed, was cancelled, or
      // skipped the commit because it already had a newer one.
      expect(stage.if).toBe(
        expr(
          `needs.stage-${index}.outputs.verified == 'true' && fromJSON(needs.environments.outputs.count) > ${index}`,
        ),
      );
    });
  });

  it('has the same stage job for every index, and as many as the environments job allows', () => {
    const normalised = (id: string, index: number) =>
      JSON.stringify({ ...job('deploy.yml', id), needs: undefined, if: undefined })
        .replaceAll(`[${index}]`, '[i]')
        .replace(/"#[^"]*"/g, '');
    const [first, ...rest] = stages.map((id, index) => normalised(id, index));
    for (const other of rest) expect(other).toBe(first);
    const check = step(job('deploy.yml', 'environments'), 'stages');
    expect(check.env?.STAGES).toBe(stages.length);
  });

  /** Runs the environments job's stage check with bash, as the runner would. */
  function checkStages(count: number) {
    const check = step(job('deploy.yml', 'environments'), 'stages');
    const output = join(mkdtempSync(join(tmpdir(), 'stages-')), 'output');
    writeFileSync(output, '');
    const all = JSON.stringify(Array.from({ length: count }, (_, i) => ({ name: `env${i}` })));
    const result = spawnSync('bash', ['-e', '-c', check.run ?? ''], {
      env: { PATH: process.env.PATH, ALL: all, STAGES: String(check.env?.STAGES), GITHUB_OUTPUT: output },
      encoding: 'utf8',
    });
    return { ...result, output: readFileSync(output, 'utf8') };
  }

  it('refuses more environments than stages instead of leaving the last ones undeployed', () => {
    expect(checkStages(2)).toMatchObject({ status: 0, output: 'count=2\n' });
    const tooMany = checkStages(stages.length + 1);
    expect(tooMany.status).toBe(1);
    expect(tooMany.stdout).toContain('::error title=More environments than deploy stages::');
  });

  it('guards every environment against an older commit in its deploy job, before anything is built or deployed', () => {
    const called = workflow('deploy-environment.yml');
    expect(Object.keys(called.jobs)).toEqual(['deploy', 'verify']);
    const deployJob = job('deploy-environment.yml', 'deploy');
    const steps = deployJob.steps ?? [];
    const guard = step(deployJob, 'guard');
    expect(guard.run).toBe(
      'node .github/scripts/deploy-order.ts --environment "$GH_ENVIRONMENT" --sha "$GITHUB_SHA" --output "$GITHUB_OUTPUT"',
    );
    const at = steps.indexOf(guard);
    // Only the bootstrap check, the checkout (with the history the guard compares commits in) and Node.js before it.
    expect(steps.slice(0, at).map((s) => s.uses?.replace(/@.*$/, '') ?? s.name)).toEqual([
      'Check the environment is bootstrapped',
      'actions/checkout',
      'actions/setup-node',
    ]);
    expect(steps[1]?.with?.['fetch-depth']).toBe(0);
    expect(deployJob.needs).toBeUndefined();
    expect(deployJob.if).toBeUndefined();
    expect(called.on).toEqual({ workflow_call: expect.anything() });
    const outputs = (called.on as { workflow_call: { outputs: Record<string, { value: string }> } })
      .workflow_call.outputs;
    expect(outputs.verified?.value).toBe(
      expr('jobs.verify.outputs.verified || jobs.deploy.outputs.verified'),
    );
  });

  it('skips every later step of the deploy job and the verify job when the order guard refuses the commit', () => {
    const deployJob = job('deploy-environment.yml', 'deploy');
    const steps = deployJob.steps ?? [];
    const later = steps.slice(steps.indexOf(step(deployJob, 'guard')) + 1);
    const condition = (s: Step) => String(s.if ?? '').replace(/^\$\{\{\s*|\s*\}\}$/g, '');
    // A step that runs only after a failure cannot run either: when the guard refuses, nothing runs to fail.
    const ungated = later.filter(
      (s) => !condition(s).includes('failure()') && conjuncts(condition(s))[0] !== GUARD,
    );
    expect(ungated.map((s) => s.name ?? s.uses ?? s.run)).toEqual([]);
    expect(later.filter((s) => condition(s).includes('failure()')).map((s) => s.id ?? s.name)).toEqual([
      'rollback',
      'Report the failure',
    ]);
    // So the job reports no verification (and the next stage does not start), and the verify job does not run.
    expect(deployJob.outputs?.verified).toBe(expr('steps.verified.outputs.verified'));
    expect(step(deployJob, 'verified').if).toBe(afterGuard("inputs.smoke-runner == ''"));
    expect(deployJob.outputs?.deploy).toBe(expr('steps.guard.outputs.deploy'));
    const verify = job('deploy-environment.yml', 'verify');
    expect(verify.needs).toBe('deploy');
    expect(verify.if).toBe(expr("needs.deploy.outputs.deploy == 'true' && inputs.smoke-runner != ''"));
  });

  it('verifies against the load balancer the deploy job reports, not one looked up again', () => {
    const smoke = step(job('deploy-environment.yml', 'verify'), 'smoke');
    expect(smoke.with?.endpoint).toBe(expr('needs.deploy.outputs.endpoint'));
    expect(job('deploy-environment.yml', 'deploy').outputs?.endpoint).toContain('steps.ingress.outputs.');
  });
});

describe('roles', () => {
  it("signs the allowed-path smoke checks as the environment's smoke role, assumed right before them", () => {
    const verify = job('deploy-environment.yml', 'verify');
    const steps = verify.steps ?? [];
    const smokeIndex = steps.findIndex((s) => s.id === 'smoke');
    const credentials = steps
      .slice(0, smokeIndex)
      .filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(credentials.map((s) => s.with?.['role-to-assume'])).toEqual([
      `arn:${expr('inputs.partition')}:iam::${expr('inputs.account')}:role/lattice-ingress-${expr('inputs.environment')}-smoke`,
    ]);
    const entry = (field: string) => expr(`fromJSON(needs.environments.outputs.all)[0].${field}`);
    expect(job('deploy.yml', 'stage-1').with).toMatchObject({
      environment: entry('name'),
      account: entry('account'),
      partition: entry('partition'),
      region: entry('region'),
    });
  });

  it('rolls back after a failed verification as the deploy role', () => {
    const steps = job('deploy-environment.yml', 'verify').steps ?? [];
    const rollback = steps.findIndex((s) => s.id === 'rollback');
    const lastCredentials = steps
      .slice(0, rollback)
      .filter((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))
      .at(-1);
    expect(lastCredentials?.with?.['role-to-assume']).toBe(expr('vars.DEPLOY_ROLE_ARN'));
  });

  it('previews each environment with its own role only (a preview role reads only its own stacks)', () => {
    expect(job('pr.yml', 'preview').env?.PREVIEW_ROLE_ARN).toBe(expr('vars[matrix.previewRoleVariable]'));
    for (const file of WORKFLOWS) expect(text(file)).not.toContain('vars.PREVIEW_ROLE_ARN');
  });
});

describe('environment names', () => {
  it('come from config/deployment.yaml at run time, never from a workflow', () => {
    for (const file of WORKFLOWS) {
      const w = workflow(file);
      const dispatch = (w.on as { workflow_dispatch?: { inputs?: Record<string, { type?: string }> } })
        .workflow_dispatch;
      for (const [name, input] of Object.entries(dispatch?.inputs ?? {})) {
        expect(input.type, `${file} input ${name}`).not.toBe('choice');
      }
      for (const [id, j] of Object.entries(w.jobs)) {
        const environment =
          typeof j.environment === 'object' ? (j.environment as { name?: string }).name : j.environment;
        const group = typeof j.concurrency === 'object' ? j.concurrency.group : j.concurrency;
        for (const value of [environment, group].filter((v) => v !== undefined)) {
          expect(value, `${file} jobs.${id}`).toMatch(/\$\{\{/);
        }
      }
    }
  });

  it('a rollback acts only on a name the CLI found in deployment.yaml', () => {
    const source = text('rollback.yml');
    const lookup = step(job('rollback.yml', 'environment'), 'lookup');
    expect(lookup.env?.ENVIRONMENT).toBe(expr('inputs.environment'));
    expect(lookup.run).toContain('environments --json --only "$ENVIRONMENT"');
    // The typed name appears exactly there; everything after uses the looked-up entry.
    expect(source.split(expr('inputs.environment')).length - 1).toBe(1);
  });
});

describe('pull request gate', () => {
  const required = job('pr.yml', 'required');

  it('is one job that always runs and needs every check a change may need', () => {
    expect(required.name).toBe(GATE_CHECK);
    expect(required.if).toBe(expr('always()'));
    expect(required.needs).toEqual(['changes', 'plan', 'gate', 'test']);
    expect(job('pr.yml', 'test').if).toBe(expr("needs.changes.outputs.code == 'true'"));
  });

  /** Runs the gate's own script with bash, as the runner would. */
  function decide(results: Record<string, string>) {
    const run = required.steps?.[0]?.run ?? '';
    return spawnSync('bash', ['-e', '-c', run], {
      env: { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: '/dev/null', ...results },
      encoding: 'utf8',
    });
  }
  const passed = { CHANGES: 'success', PLAN: 'success', GATE: 'success' };

  it('passes a config-only change on the config gate and the plan, without the suite', () => {
    expect(decide({ ...passed, CODE_CHANGED: 'false', TEST: 'skipped' }).status).toBe(0);
  });

  it('requires the suite for a code change', () => {
    expect(decide({ ...passed, CODE_CHANGED: 'true', TEST: 'success' }).status).toBe(0);
    const skipped = decide({ ...passed, CODE_CHANGED: 'true', TEST: 'skipped' });
    expect(skipped.status).toBe(1);
    expect(skipped.stdout).toContain('Test (skipped)');
    expect(decide({ ...passed, CODE_CHANGED: 'true', TEST: 'failure' }).status).toBe(1);
  });

  it('fails when the config gate, the plan or the classification did not pass', () => {
    expect(decide({ ...passed, GATE: 'failure', CODE_CHANGED: 'false', TEST: 'skipped' }).stdout).toContain(
      'Config gate (failure)',
    );
    expect(decide({ ...passed, PLAN: 'cancelled', CODE_CHANGED: 'false', TEST: 'skipped' }).status).toBe(1);
    expect(decide({ ...passed, CHANGES: 'failure', CODE_CHANGED: '', TEST: 'skipped' }).status).toBe(1);
  });

  // "Managing a merge queue": with a merge queue, the required checks must report on the merge group, and a workflow
  // reports there only when it runs on `merge_group` (the event's payload has merge_group.base_sha and head_sha, and
  // no pull_request).
  it('reports on merge groups too: every job it needs runs there, against the group base and head', () => {
    const pr = workflow('pr.yml');
    expect(pr.on).toHaveProperty('merge_group');
    const needed = ['changes', 'plan', 'gate', 'test', 'required'];
    for (const id of needed) {
      const j = job('pr.yml', id);
      expect(String(j.if ?? ''), `jobs.${id}.if`).not.toMatch(/event_name == 'pull_request'/);
      const payloadFields =
        JSON.stringify(j).match(/github\.event\.pull_request\.[\w.]+(?: \|\| [\w.]+)?/g) ?? [];
      for (const field of payloadFields) {
        expect(field, `jobs.${id}`).toMatch(/ \|\| github\.event\.merge_group\.(base|head)_sha$/);
      }
    }
    const group = (pr as { concurrency?: { group?: string } }).concurrency?.group ?? '';
    expect(group).toContain('github.ref');
    for (const id of ['preview', 'comment']) {
      expect(String(job('pr.yml', id).if), `jobs.${id}`).toContain("github.event_name == 'pull_request'");
    }
  });

  it('synthesizes every stack with cdk-nag', () => {
    expect(step(job('pr.yml', 'gate'), 'Synthesize every environment with cdk-nag').run).toBe(
      'npx --no-install cdk synth --quiet',
    );
  });

  it('renders every environment and runs nginx -t in the image built from that rendering', () => {
    // The step as the runner runs it, in a checkout whose config/ is the test's own, with a stand-in `docker` that
    // records its arguments (the real one would pull the base image).
    const workspace = mkdtempSync(join(tmpdir(), 'config-gate-'));
    for (const dir of ['bin', 'proxy']) symlinkSync(join(root, dir), join(workspace, dir));
    ownConfigDir(join(workspace, 'config'));
    const fakeBin = join(workspace, 'fake-bin');
    mkdirSync(fakeBin);
    writeFileSync(join(fakeBin, 'docker'), '#!/bin/sh\necho "$*" >> "$DOCKER_LOG"\n', { mode: 0o755 });
    const runnerTemp = join(workspace, 'runner-temp');
    const log = join(workspace, 'docker.log');
    const run =
      step(job('pr.yml', 'gate'), 'Render every environment and run nginx -t in the image').run ?? '';
    const result = spawnSync('bash', ['-e', '-c', run], {
      cwd: workspace,
      env: { PATH: `${fakeBin}:${process.env.PATH}`, RUNNER_TEMP: runnerTemp, DOCKER_LOG: log },
      encoding: 'utf8',
    });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.status).toBe(0);
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls).toEqual(
      OWN_ENVIRONMENTS.flatMap((name) => [
        `build --quiet --file proxy/Dockerfile --tag lattice-ingress-gate:${name} ${runnerTemp}/render/${name}`,
        `run --rm --read-only lattice-ingress-gate:${name} -t`,
      ]),
    );
    for (const name of OWN_ENVIRONMENTS) {
      expect(readFileSync(join(runnerTemp, 'render', name, 'nginx.conf'), 'utf8')).toContain('resolve');
    }
    // One CLI process per environment renders its configuration: about 20 s on an idle two-core machine.
  }, 120_000);
});

describe('merge to serving', () => {
  it('runs the suite on main only when no pull request gate passed on the same tree', () => {
    const test = job('deploy.yml', 'test');
    expect(step(test, 'tested').uses).toBe('./actions/tested-tree');
    expect(step(test, 'Run the whole suite').if).toBe(expr("steps.tested.outputs.tested != 'true'"));
  });

  it('sets up Node.js in the Test job only when the suite runs, and not at all in the Environments job', () => {
    const test = job('deploy.yml', 'test');
    const setups = (test.steps ?? []).filter((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(setups.map((s) => s.if)).toEqual([expr("steps.tested.outputs.tested != 'true'")]);
    const environments = job('deploy.yml', 'environments');
    expect((environments.steps ?? []).map((s) => s.uses ?? s.id)).toEqual([
      expect.stringMatching(/^actions\/checkout@/),
      './actions/environments',
      'stages',
    ]);
    expect(step(environments, 'stages').run).not.toMatch(/\b(node|npx|npm)\b/);
  });

  // "Caching dependencies to speed up workflows", Restrictions for accessing a cache: "Workflow runs can restore
  // caches created in either the current branch or the default branch", so a deploy from main never restores a
  // node_modules that a pull request's code wrote.
  it('restores node_modules in the deploy job from a cache keyed on package-lock.json, npm ci only on a miss', () => {
    const deploy = job('deploy-environment.yml', 'deploy');
    const steps = deploy.steps ?? [];
    const cache = step(deploy, 'modules');
    expect(cache.uses).toMatch(/^actions\/cache@[0-9a-f]{40}$/);
    expect(cache.with?.path).toBe('node_modules');
    expect(String(cache.with?.key)).toContain("hashFiles('package-lock.json')");
    const [install, ...more] = steps.filter((s) => /npm ci\b/.test(s.run ?? ''));
    expect(more).toEqual([]);
    expect(install?.if).toBe(afterGuard("steps.modules.outputs.cache-hit != 'true'"));
    // Restored before the first step that needs node_modules.
    const needsModules = steps.findIndex((s) => /\b(npx|tsx)\b|bin\/lattice-ingress/.test(s.run ?? ''));
    const installAt = steps.indexOf(install as Step);
    expect(steps.indexOf(cache)).toBe(installAt - 1);
    expect(installAt).toBeLessThan(needsModules);
  });

  it('updates existing stacks in one cdk deploy, and creates them apart only the first time', () => {
    const steps = (job('deploy-environment.yml', 'deploy').steps ?? []).filter(
      (s) => s.uses === './actions/deploy-infra' || s.uses === './actions/build-push',
    );
    const exists = afterGuard("steps.stacks.outputs.ingress-exists == 'true'");
    const first = afterGuard("steps.stacks.outputs.ingress-exists != 'true'");
    // The image is pushed before the one cdk deploy, which gives the Ingress stack its tag in the same update.
    const tag = expr('steps.image.outputs.image-tag');
    expect(steps.map((s) => [s.id, s.with?.stacks, s.if, s.with?.['image-tag']])).toEqual([
      ['registry', 'registry', first, undefined],
      ['image', undefined, afterGuard(), undefined],
      ['infra', 'all', exists, tag],
      ['ingress', 'ingress', first, tag],
    ]);
  });

  it('installs dependencies only in jobs that run something needing them', () => {
    for (const file of WORKFLOWS) {
      for (const [id, j] of Object.entries(workflow(file).jobs)) {
        const runs = (j.steps ?? []).map((s) => s.run ?? '');
        if (runs.some((r) => /npm (ci|test)\b/.test(r))) continue;
        expect(
          runs.filter((r) => /\b(npx|tsx)\b|bin\/lattice-ingress/.test(r)),
          `${file} jobs.${id}`,
        ).toEqual([]);
      }
    }
  });

  it('runs scripts with plain node only when they import nothing but Node.js and each other', () => {
    const scripts = new Set(
      WORKFLOWS.flatMap((file) => [...text(file).matchAll(/\bnode (\.github\/scripts\/[\w.-]+\.ts)/g)]).map(
        (m) => m[1] ?? '',
      ),
    );
    expect([...scripts]).toEqual(
      expect.arrayContaining(['.github/scripts/failure-report.ts', '.github/scripts/deploy-order.ts']),
    );
    const seen = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const source = readFileSync(join(root, file), 'utf8');
      for (const [, from, bare] of source.matchAll(
        /\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(?\s*['"]([^'"]+)['"]/g,
      )) {
        const spec = from ?? bare ?? '';
        if (spec.startsWith('node:')) continue;
        // Node.js 24 strips types from the files it loads; anything from node_modules needs npm ci first.
        expect(spec, `${file} imports ${spec}`).toMatch(/^(\.\.?\/)+[\w./-]+\.ts$/);
        visit(join(dirname(file), spec));
      }
    };
    for (const script of scripts) visit(script);
  });

  it('builds the linux/arm64 image without QEMU emulation', () => {
    for (const file of WORKFLOWS) expect(text(file)).not.toContain('docker/setup-qemu-action');
  });

  it('reports a deploy that cdk deploy itself rolled out and CloudFormation rolled back', () => {
    const report = step(job('deploy-environment.yml', 'deploy'), 'Report the failure');
    expect(report.env?.INFRA_ROLLED_OUT).toBe(
      expr('steps.infra.outputs.rolled-out || steps.ingress.outputs.rolled-out'),
    );
    expect(report.run).toBe('node .github/scripts/failure-report.ts');
  });
});

describe('break-glass revocations', () => {
  const lifts = (j: Job) =>
    (j.steps ?? []).filter((s) => /revoke --environment "\$ENVIRONMENT" --lift/.test(s.run ?? ''));
  const indexOf = (j: Job, id: string) => (j.steps ?? []).findIndex((s) => s.id === id);

  // A deny lifted before verification is gone when the verification fails: the automatic rollback then refuses
  // (the previous image admits the range) or, forced, re-admits the range with nothing denying it.
  it('are lifted only after the environment is verified, never on the way to a rollback', () => {
    const deployJob = job('deploy-environment.yml', 'deploy');
    const verify = job('deploy-environment.yml', 'verify');
    const [inDeploy, ...moreInDeploy] = lifts(deployJob);
    const [inVerify, ...moreInVerify] = lifts(verify);
    expect([moreInDeploy, moreInVerify]).toEqual([[], []]);
    // With a smoke runner, the verify job lifts once its smoke test passed; without one, the deploy job lifts after
    // its refusal check, the only verification there is.
    expect(inDeploy?.if).toBe(afterGuard("inputs.smoke-runner == ''"));
    expect(verify.if).toBe(expr(`needs.deploy.outputs.deploy == 'true' && inputs.smoke-runner != ''`));
    const steps = verify.steps ?? [];
    expect(steps.indexOf(inVerify as Step)).toBeGreaterThan(indexOf(verify, 'smoke'));
    expect(steps.indexOf(inVerify as Step)).toBeLessThan(indexOf(verify, 'rollback'));
    expect((deployJob.steps ?? []).indexOf(inDeploy as Step)).toBeGreaterThan(indexOf(deployJob, 'refusal'));
    // Only on success: a lift that ran on the way to a failure's rollback would undo the point.
    for (const lift of [inDeploy, inVerify])
      expect(String(lift?.if ?? '')).not.toMatch(/always|failure|cancelled/);
  });
});

describe('a stage that lost its place', () => {
  const converge = job('deploy.yml', 'converge');

  it('is reported and makes the run deploy main again, unless someone cancelled the whole run', () => {
    expect(converge.needs).toEqual(['stage-1', 'stage-2', 'stage-3', 'stage-4']);
    expect(converge.if).toBe(expr("!cancelled() && contains(needs.*.result, 'cancelled')"));
  });

  /** The job's script with a stand-in `gh` answering the API calls and recording the dispatch. */
  function runConverge(runsStillGoing: number) {
    const dir = mkdtempSync(join(tmpdir(), 'converge-'));
    const log = join(dir, 'gh.log');
    writeFileSync(
      join(dir, 'gh'),
      `#!/bin/sh\necho "$*" >> "${log}"\ncase "$2" in\n  */commits/main) echo 0123abc ;;\n  */runs*) echo ${runsStillGoing} ;;\nesac\n`,
      { mode: 0o755 },
    );
    const result = spawnSync('bash', ['-e', '-c', converge.steps?.[0]?.run ?? ''], {
      env: {
        PATH: `${dir}:${process.env.PATH}`,
        GH_REPO: 'o/r',
        GITHUB_RUN_ID: '42',
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      },
      encoding: 'utf8',
    });
    return { ...result, gh: readFileSync(log, 'utf8') };
  }

  it("dispatches Deploy on main when no run of main's head is still going", () => {
    const result = runConverge(0);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('::warning title=Deploy stage cancelled::');
    expect(result.gh).toContain('workflow run deploy.yml --ref main');
    expect(result.gh).toContain('actions/workflows/deploy.yml/runs?head_sha=0123abc');
  });

  it("leaves it to the run of main's head when one is still going", () => {
    expect(runConverge(1).gh).not.toContain('workflow run');
  });
});

describe('a rollback that never ran', () => {
  // "Workflow syntax for GitHub Actions", jobs.<job_id>.concurrency: "there can be at most one running and one
  // pending job in a concurrency group at any time ... Any existing pending job or workflow in the same concurrency
  // group, if it exists, will be canceled and the new queued job or workflow will take its place."
  it('is reported as an error in its run, not left to look like any other cancelled run', () => {
    const cancelled = job('rollback.yml', 'cancelled');
    expect(cancelled.needs).toEqual(['environment', 'rollback']);
    expect(cancelled.if).toBe(expr("always() && needs.rollback.result == 'cancelled'"));
    const result = spawnSync('bash', ['-e', '-c', cancelled.steps?.[0]?.run ?? ''], {
      env: { PATH: process.env.PATH, GITHUB_STEP_SUMMARY: '/dev/null', ENVIRONMENT: 'blue-team' },
      encoding: 'utf8',
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /^::error title=Rollback of blue-team cancelled::.*run the Rollback workflow again/m,
    );
  });

  it('is what the docs describe, instead of "queued, never cancelled"', () => {
    const docs = ['README.md', 'docs/operations.md']
      .map((f) => readFileSync(join(root, f), 'utf8'))
      .join('\n');
    expect(docs).not.toMatch(/queued, never cancelled|they queue, and none is cancelled/);
    expect(docs).toContain('one waiting job per environment');
  });
});
