// Expected time from merge to every proxy task serving the new configuration and to every old task replaced,
// computed from the deploy workflow's graph (jobs, needs, steps, with assumed step durations) and the synthesized
// Ingress template, next to the same figures for the reference design. docs/infrastructure.md embeds the output; a test keeps the two equal.
//
//   npx tsx infra/rollout-time.ts                  print the table for every environment in config/
//   npx tsx infra/rollout-time.ts --template FILE  read one synthesized template instead
//   npx tsx infra/rollout-time.ts --workflow FILE  compute the critical path of another deploy workflow
//   npx tsx infra/rollout-time.ts --json           machine-readable
//   npx tsx infra/rollout-time.ts --write-docs     refresh the block in docs/infrastructure.md
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import { generatedBlock, replaceGeneratedBlock } from '../scripts/generated-block.ts';

/** What decides the rollout's duration, as deployed. */
export interface RolloutSettings {
  healthCheckProtocol: string;
  healthCheckIntervalSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  deregistrationDelaySeconds: number;
  gracePeriodSeconds: number;
  minHealthyPercent: number;
  maxPercent: number;
  desiredCount: number;
  stopTimeoutSeconds: number;
  /** Whether merging starts the rollout; the reference design needs someone to redeploy by hand. */
  automatic: boolean;
}

/** Things no template says; estimates to replace with measurements from a real account. */
export interface Assumptions {
  /** Fargate provisioning, image pull through the VPC endpoints, NGINX start. */
  taskStartSeconds: number;
  /** From target registration until the NLB's first health check counts. */
  targetRegistrationSeconds: number;
  /** NGINX exit after SIGQUIT once the NLB has closed the remaining connections. */
  shutdownSeconds: number;
}

export const ASSUMPTIONS: Assumptions = {
  taskStartSeconds: 45,
  targetRegistrationSeconds: 20,
  shutdownSeconds: 2,
};

/**
 * The reference design's settings (guidance-for-external-connectivity-amazon-vpc-lattice, cloudformation/ecs/
 * cluster.yaml): TCP health checks every 5 s with 3 healthy answers, the default 300 s deregistration delay, ECS
 * defaults (100 / 200 %, 30 s stop timeout, no grace period), 3 tasks (its autoscaling minimum), manual redeploy.
 */
export const REFERENCE_DESIGN: RolloutSettings = {
  healthCheckProtocol: 'TCP',
  healthCheckIntervalSeconds: 5,
  healthyThreshold: 3,
  unhealthyThreshold: 3,
  deregistrationDelaySeconds: 300,
  gracePeriodSeconds: 0,
  minHealthyPercent: 100,
  maxPercent: 200,
  desiredCount: 3,
  stopTimeoutSeconds: 30,
  automatic: false,
};

// Defaults CloudFormation and ECS apply when a property is absent.
const DEFAULT_DEREGISTRATION_DELAY = 300;
const DEFAULT_STOP_TIMEOUT = 30;

interface CfnTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

/** Reads the settings from a synthesized Ingress template (the slowest target group decides). */
export function rolloutSettingsFromTemplate(template: CfnTemplate): RolloutSettings {
  const resources = template.Resources ?? {};
  const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
  const services = ofType('AWS::ECS::Service');
  if (services.length !== 1)
    throw new Error(`expected one ECS service in the template, found ${services.length}`);
  const service = (services[0]?.[1].Properties ?? {}) as {
    DesiredCount?: number;
    HealthCheckGracePeriodSeconds?: number;
    DeploymentConfiguration?: { MinimumHealthyPercent?: number; MaximumPercent?: number };
    LoadBalancers?: { TargetGroupArn: { Ref: string } }[];
  };
  const targetGroups = (service.LoadBalancers ?? []).map(({ TargetGroupArn }) => {
    const group = resources[TargetGroupArn.Ref]?.Properties as
      | {
          HealthCheckProtocol?: string;
          HealthCheckIntervalSeconds?: number;
          HealthyThresholdCount?: number;
          UnhealthyThresholdCount?: number;
          TargetGroupAttributes?: { Key: string; Value: string }[];
        }
      | undefined;
    if (!group) throw new Error(`target group ${TargetGroupArn.Ref} is not in the template`);
    const delay = group.TargetGroupAttributes?.find((a) => a.Key === 'deregistration_delay.timeout_seconds');
    return {
      protocol: group.HealthCheckProtocol ?? 'TCP',
      interval: group.HealthCheckIntervalSeconds ?? 30,
      healthy: group.HealthyThresholdCount ?? 5,
      unhealthy: group.UnhealthyThresholdCount ?? 2,
      delay: delay ? Number(delay.Value) : DEFAULT_DEREGISTRATION_DELAY,
    };
  });
  if (targetGroups.length === 0) throw new Error('the ECS service is not attached to any target group');
  const slowest = targetGroups.reduce((a, b) => (b.interval * b.healthy > a.interval * a.healthy ? b : a));
  const taskDefinitions = ofType('AWS::ECS::TaskDefinition');
  const containers = (taskDefinitions[0]?.[1].Properties?.ContainerDefinitions ?? []) as {
    StopTimeout?: number;
  }[];
  return {
    healthCheckProtocol: slowest.protocol,
    healthCheckIntervalSeconds: slowest.interval,
    healthyThreshold: slowest.healthy,
    unhealthyThreshold: slowest.unhealthy,
    deregistrationDelaySeconds: Math.max(...targetGroups.map((g) => g.delay)),
    gracePeriodSeconds: service.HealthCheckGracePeriodSeconds ?? 0,
    minHealthyPercent: service.DeploymentConfiguration?.MinimumHealthyPercent ?? 100,
    maxPercent: service.DeploymentConfiguration?.MaximumPercent ?? 200,
    // The service leaves its count to autoscaling: the fleet at rest is the scalable target's minimum.
    desiredCount:
      service.DesiredCount ?? minCapacity(ofType('AWS::ApplicationAutoScaling::ScalableTarget')) ?? 1,
    stopTimeoutSeconds: Math.max(...containers.map((c) => c.StopTimeout ?? DEFAULT_STOP_TIMEOUT)),
    automatic: true,
  };
}

function minCapacity(targets: [string, { Properties?: Record<string, unknown> }][]): number | undefined {
  const value = targets[0]?.[1].Properties?.MinCapacity;
  return typeof value === 'number' ? value : undefined;
}

export interface RolloutEstimate {
  settings: RolloutSettings;
  /** From merge until the last new task is healthy in the target groups: every task serves the new configuration. */
  servingSeconds: number;
  /** New tasks ECS may start at once: desired x (max - 100) %, at least one. */
  batchSize: number;
  batches: number;
  steps: { step: string; seconds: number }[];
  /** The steps after the workflow until every task serves: earlier batches in full, the last one until healthy. */
  servingSteps: { step: string; seconds: number }[];
  totalSeconds: number;
  /** How long a broken task can look alive before the service reacts (grace period, then failing checks). */
  failureDetectionSeconds: number;
}

/**
 * `workflowSeconds`: from merge to the rollout step starting the new tasks (the workflow's critical path, or the
 * same figure for the reference design, whose pipeline stops at the image push).
 */
export function estimateRollout(
  settings: RolloutSettings,
  workflowSeconds: number,
  assumptions: Assumptions = ASSUMPTIONS,
): RolloutEstimate {
  const batchSize = Math.max(1, Math.floor((settings.desiredCount * (settings.maxPercent - 100)) / 100));
  const batches = Math.ceil(settings.desiredCount / batchSize);
  const healthy = settings.healthCheckIntervalSeconds * settings.healthyThreshold;
  const stop = Math.min(assumptions.shutdownSeconds, settings.stopTimeoutSeconds);
  const untilHealthy: { step: string; seconds: number }[] = [
    { step: 'start new tasks (assumed)', seconds: assumptions.taskStartSeconds },
    { step: 'target registration (assumed)', seconds: assumptions.targetRegistrationSeconds },
    { step: 'health checks until healthy (interval x healthy threshold)', seconds: healthy },
  ];
  const drain: { step: string; seconds: number }[] = [
    { step: 'deregistration delay (drain old tasks)', seconds: settings.deregistrationDelaySeconds },
    { step: 'stop old tasks (assumed)', seconds: stop },
  ];
  const perBatch = [...untilHealthy, ...drain];
  const steps = [
    {
      step: settings.automatic
        ? 'workflow to the start of the rollout (critical path below)'
        : 'workflow to image push, then a manual redeploy',
      seconds: workflowSeconds,
    },
    ...perBatch.map(({ step, seconds }) => ({
      step: batches > 1 ? `${step} x ${batches} batches` : step,
      seconds: seconds * batches,
    })),
  ];
  const totalSeconds = steps.reduce((sum, s) => sum + s.seconds, 0);
  // The last batch's old tasks still drain and stop after its new tasks serve.
  const lastDrain = settings.deregistrationDelaySeconds + stop;
  const earlierBatches = perBatch.reduce((sum, step) => sum + step.seconds, 0) * (batches - 1);
  return {
    settings,
    servingSeconds: totalSeconds - lastDrain,
    batchSize,
    batches,
    steps,
    servingSteps: [
      ...(batches > 1
        ? [{ step: `${batches - 1} earlier batch(es), start to stop`, seconds: earlierBatches }]
        : []),
      ...untilHealthy,
    ],
    totalSeconds,
    failureDetectionSeconds:
      Math.max(settings.gracePeriodSeconds, assumptions.taskStartSeconds) +
      settings.healthCheckIntervalSeconds * settings.unhealthyThreshold,
  };
}

// ---- merge to serving: the critical path through the deploy workflow ---------------------------------------------

/** A step of a workflow job, with where it is written (for error messages). */
export interface WorkflowStep {
  id?: string;
  uses?: string;
  name?: string;
  run?: string;
  if?: string;
  /** file:line:column of the step. */
  at: string;
}

export interface WorkflowJob {
  needs: string[];
  steps: WorkflowStep[];
  if?: string;
  /** The reusable workflow a job calls instead of running steps (`jobs.<id>.uses`). */
  uses?: string;
  /** file:line:column of the job. */
  at: string;
  /** For a job of a called workflow: the caller's job, whose `if:` gates it too. */
  calledBy?: { name: string; job: WorkflowJob };
  /** A caller's job after inlining: it completes when the called workflow's jobs have, and runs nothing itself. */
  inlined?: true;
}

/** The jobs of a GitHub Actions workflow: `needs`, steps and `uses:`, nothing else is needed for the path. */
export function parseWorkflow(text: string, file: string): Map<string, WorkflowJob> {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message}`);
  const jobs = document.get('jobs');
  if (!isMap(jobs)) throw new Error(`${file}: the workflow has no jobs`);
  const where = (node: { range?: [number, number, number] | null }) => {
    const { line, col } = lines.linePos(node.range?.[0] ?? 0);
    return `${file}:${line}:${col}`;
  };
  const parsed = new Map<string, WorkflowJob>();
  for (const { key, value } of jobs.items) {
    if (!isMap(value)) continue;
    const needs = value.toJSON().needs as string | string[] | undefined;
    const steps = value.get('steps');
    const condition = value.get('if');
    const uses = value.get('uses');
    parsed.set(String(isScalar(key) ? key.value : key), {
      needs: needs === undefined ? [] : [needs].flat(),
      ...(typeof condition === 'string' ? { if: condition } : {}),
      ...(typeof uses === 'string' ? { uses } : {}),
      at: where(value),
      steps: isSeq(steps)
        ? steps.items.filter(isMap).map((step) => {
            const fields = step.toJSON() as Omit<WorkflowStep, 'at'>;
            return { ...pick(fields, ['id', 'uses', 'name', 'run', 'if']), at: where(step) };
          })
        : [],
    });
  }
  return parsed;
}

function pick(fields: Record<string, unknown>, names: (keyof Omit<WorkflowStep, 'at'>)[]) {
  return Object.fromEntries(
    names.flatMap((name) => (typeof fields[name] === 'string' ? [[name, fields[name]]] : [])),
  );
}

/**
 * Replaces every job that calls a local reusable workflow (`uses: ./.github/workflows/x.yml`) by the called
 * workflow's jobs, named `<caller>/<job>`: their own `needs` among themselves, the caller's `needs` before those
 * that need nothing else, and the caller's `if:` over all of them. The caller's name stays, for the jobs that need
 * it, as a job that completes when every called job has. `read` gives a workflow's jobs by its path from the
 * repository root (parseWorkflow of the file); called workflows that call others are followed too.
 */
export async function inlineCalledWorkflows(
  jobs: Map<string, WorkflowJob>,
  read: (path: string) => Promise<Map<string, WorkflowJob>>,
  calling: string[] = [],
): Promise<Map<string, WorkflowJob>> {
  const inlined = new Map<string, WorkflowJob>();
  for (const [name, job] of jobs) {
    if (job.uses === undefined) {
      inlined.set(name, job);
      continue;
    }
    if (!job.uses.startsWith('./'))
      throw new Error(
        `${job.at}: job ${name} calls ${job.uses}, a workflow of another repository whose jobs cannot be read here; the critical path follows local reusable workflows (./.github/workflows/*.yml) only`,
      );
    const path = job.uses.slice(2).replace(/@.*$/, '');
    if (calling.includes(path))
      throw new Error(`${job.at}: workflows call each other: ${[...calling, path].join(' -> ')}`);
    const called = new Map(
      [...(await read(path))].map(([calledName, calledJob]): [string, WorkflowJob] => [
        `${name}/${calledName}`,
        {
          ...calledJob,
          needs: calledJob.needs.length > 0 ? calledJob.needs.map((need) => `${name}/${need}`) : job.needs,
          calledBy: { name, job },
        },
      ]),
    );
    for (const [calledName, calledJob] of await inlineCalledWorkflows(called, read, [...calling, path]))
      inlined.set(calledName, calledJob);
    inlined.set(name, { needs: [...called.keys()], steps: [], at: job.at, inlined: true });
  }
  return inlined;
}

/** The keys a step's assumed duration may be listed under, most specific first. */
export function stepKeys(step: WorkflowStep): string[] {
  return [
    step.id && `id:${step.id}`,
    step.uses && `uses:${step.uses.replace(/@.*$/, '')}`,
    step.name && `name:${step.name}`,
    step.run && `run:${step.run.trim().split('\n')[0]}`,
  ].filter((key): key is string => Boolean(key));
}

export interface StepTime {
  seconds: number;
  /** Where the figure comes from. */
  why: string;
  /**
   * The step starts the ECS deployment of the new image; `seconds` then counts until ECS starts the new tasks, and
   * the path ends there (the first such step on the success path).
   */
  startsRollout?: true;
}

/**
 * Assumed duration of each step on the success path of an allowlist-only change merged through a pull request whose
 * gate passed on the same tree (the image changes, no stack template does), on a GitHub-hosted ubuntu-latest
 * runner. Keyed by step id, `uses:` action (without the ref), step name or the first line of `run:`, whichever the
 * step has first. Estimates, to be replaced by the durations a real run shows (the run's log has them per step).
 */
export const STEP_SECONDS: Record<string, StepTime> = {
  'uses:actions/checkout': {
    seconds: 3,
    why: 'clone of a repository of a few MB (the deploy job fetches its whole history, still small)',
  },
  'uses:actions/setup-node': { seconds: 6, why: 'Node from the runner tool cache, npm cache restored' },
  'id:tested': {
    seconds: 3,
    why: 'the bundled tested-tree action, run by the runner on its own Node.js (no set-up, no npm ci): a few GitHub REST calls (the pull request of the commit, its head tree, the gate check)',
  },
  'run:npm test': {
    seconds: 150,
    why: 'setup.mjs installs nginx, haproxy and wrk with apt, then tsc, biome and about 2 minutes of vitest',
  },
  'run:npm ci --no-audit --no-fund': {
    seconds: 25,
    why: 'about 600 packages (aws-cdk-lib the largest) from the npm cache',
  },
  'id:list': {
    seconds: 1,
    why: 'the bundled environments action, run by the runner on its own Node.js: no set-up, one validation of config/ (0.2 s here)',
  },
  'id:stages': { seconds: 1, why: 'jq counts the listed environments against the stage jobs' },
  'id:guard': {
    seconds: 3,
    why: "the order guard on Node.js's own type stripping (before npm ci): a few GitHub REST calls for the environment's deployments, then git merge-base on the local history",
  },
  'uses:actions/cache': {
    seconds: 4,
    why: 'node_modules (534 MB, 22 741 files) as a 144 MB zstd archive: download at about 100 MB/s, extraction 1.8 s measured here',
  },
  'uses:docker/setup-buildx-action': {
    seconds: 6,
    why: 'starts a docker-container builder (pulls BuildKit)',
  },
  'uses:aws-actions/configure-aws-credentials': {
    seconds: 2,
    why: 'one OIDC token and one AssumeRoleWithWebIdentity',
  },
  'id:stacks': { seconds: 4, why: 'tsx loads the config model, one DescribeStacks' },
  'id:image': {
    seconds: 15,
    why: 'render, then an arm64 build that only copies files onto the pinned base image (no RUN step, so no emulation), push of one layer and the manifest',
  },
  'id:infra': {
    seconds: 35,
    why: 'cdk synth (about 15 s), registry skipped (unchanged), one Ingress change set with the new ImageTag (about 15 s), the service update starts the new tasks',
    startsRollout: true,
  },
};

/** Queue to first step of a job on a GitHub-hosted runner. */
export const JOB_START: StepTime = { seconds: 10, why: 'GitHub-hosted runner assignment and job set-up' };

export interface PathStep {
  job: string;
  step: string;
  seconds: number;
  why: string;
}

/** The deploy runs the suite itself: no pull request gate passed on the merged tree (a branch behind main). */
export const SUITE_RUNS = "steps.tested.outputs.tested != 'true'";

/**
 * Whether each condition (`if:` of a job or step, without `${{ }}`) holds for an allowlist-only change that
 * deploys. Conditions that only hold after a failure (`failure()`, `cancelled()`) need no entry: such steps are
 * never on the success path.
 */
export const CONDITIONS: Record<string, boolean> = {
  // The pull request gate passed on the merged tree (tested-tree.ts), so the deploy does not run the suite again.
  [SUITE_RUNS]: false,
  "env.DEPLOY_ROLE_ARN == ''": false,
  // The order guard finds no newer commit deployed to the environment: the usual case, one merge at a time. Every
  // step of the deploy job after the guard runs only then, each with its own condition besides (runs() splits `&&`).
  "steps.guard.outputs.deploy == 'true'": true,
  // Every deploy after the first: one cdk deploy updates both stacks, after the image is pushed.
  "steps.stacks.outputs.ingress-exists == 'true'": true,
  "steps.stacks.outputs.ingress-exists != 'true'": false,
  // The lock file is the one an earlier deploy from main installed and cached (the cache is kept 7 days unused).
  "steps.modules.outputs.cache-hit != 'true'": false,
};

const conditionText = (condition: string) =>
  condition
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim();

/** `(a || b)` without its parentheses; `(a) || (b)` as it is. */
function unwrapped(part: string): string {
  if (!part.startsWith('(')) return part;
  let depth = 0;
  for (const [i, c] of [...part].entries()) {
    depth += c === '(' ? 1 : c === ')' ? -1 : 0;
    if (depth === 0) return i === part.length - 1 ? unwrapped(part.slice(1, -1).trim()) : part;
  }
  return part;
}

/**
 * The parts of a condition joined by `&&` at its top level (outside parentheses and quotes), each without
 * enclosing parentheses; the condition alone when it is no such conjunction (`a && b || c` is an alternative).
 */
export function conjuncts(condition: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let from = 0;
  for (let i = 0; i < condition.length; i++) {
    const c = condition[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth += 1;
    if (c === ')') depth -= 1;
    if (depth > 0) continue;
    if (condition.startsWith('||', i)) return [condition];
    if (condition.startsWith('&&', i)) {
      parts.push(condition.slice(from, i));
      from = i + 2;
    }
  }
  return [...parts, condition.slice(from)].map((part) => unwrapped(part.trim()));
}

/**
 * Whether a job or step runs on the success path: its condition as listed in `conditions`, or else every part of
 * it joined by `&&` as listed (a step gated by the order guard AND its own condition). An unknown condition is an
 * error naming what to add.
 */
function runs(
  what: { if?: string; at: string },
  label: string,
  conditions: Record<string, boolean>,
): boolean {
  if (what.if === undefined) return true;
  const condition = conditionText(what.if);
  if (/\b(failure|cancelled)\(\)/.test(condition)) return false;
  const listed = conditions[condition];
  if (listed !== undefined) return listed;
  const holds = conjuncts(condition).map((part) => {
    const known = conditions[part];
    if (known === undefined)
      throw new Error(
        `${what.at}: ${label} runs only if \`${condition}\`; add ${part === condition ? 'that condition' : `\`${part}\``} to CONDITIONS in infra/rollout-time.ts with whether it holds for an allowlist-only change`,
      );
    return known;
  });
  return holds.every(Boolean);
}

/** The step's duration and the key it was found under; unknown steps are an error naming the keys to add. */
function stepTime(step: WorkflowStep, durations: Record<string, StepTime>): StepTime & { key: string } {
  const keys = stepKeys(step);
  for (const key of keys) {
    const time = durations[key];
    if (time) return { key, ...time };
  }
  throw new Error(
    `${step.at}: no assumed duration for this step; add one of ${keys.map((k) => `'${k}'`).join(', ')} to STEP_SECONDS in infra/rollout-time.ts`,
  );
}

/** The duration entry a step is listed under, if any (most specific key first). */
const entryOf = (step: WorkflowStep, durations: Record<string, StepTime>) =>
  stepKeys(step)
    .map((key) => durations[key])
    .find((time) => time !== undefined);

/**
 * The longest chain of jobs (by `needs`) and their steps from the push to main until the new tasks start: every
 * predecessor job in full, then the job that starts the rollout up to and including that step (the first step on
 * the success path whose entry in `durations` says `startsRollout`). Jobs of called workflows must be inlined first
 * (inlineCalledWorkflows).
 */
export function criticalPath(
  jobs: Map<string, WorkflowJob>,
  durations: Record<string, StepTime> = STEP_SECONDS,
  conditions: Record<string, boolean> = CONDITIONS,
): { steps: PathStep[]; seconds: number } {
  // A called workflow's job runs only when its caller's job does.
  const jobRuns = (name: string, job: WorkflowJob): boolean =>
    (job.calledBy === undefined || jobRuns(job.calledBy.name, job.calledBy.job)) &&
    runs(job, `job ${name}`, conditions);
  const startsRollout = (step: WorkflowStep) =>
    entryOf(step, durations)?.startsRollout === true && runs(step, 'the step', conditions);
  const target = [...jobs].find(([name, job]) => job.steps.some(startsRollout) && jobRuns(name, job));
  if (!target)
    throw new Error(
      'no step on the success path starts the rollout; mark the entry in STEP_SECONDS of the step that starts the ECS deployment with startsRollout',
    );
  // A skipped job takes no time; the chain of jobs it needs still counts.
  const jobSteps = (name: string, job: WorkflowJob, steps: WorkflowStep[]): PathStep[] =>
    !job.inlined && jobRuns(name, job)
      ? [
          { job: name, step: 'job start', ...JOB_START },
          ...steps
            .filter((step) => runs(step, 'the step', conditions))
            .map((step) => {
              const { key, ...time } = stepTime(step, durations);
              return { job: name, step: key, seconds: time.seconds, why: time.why };
            }),
        ]
      : [];
  const total = (steps: PathStep[]) => steps.reduce((sum, step) => sum + step.seconds, 0);
  const memo = new Map<string, PathStep[]>();
  // The longest chain that ends with `name` complete.
  const through = (name: string, visiting: string[]): PathStep[] => {
    const known = memo.get(name);
    if (known) return known;
    const job = jobs.get(name);
    if (!job) throw new Error(`job ${visiting.at(-1)} needs ${name}, which the workflow does not have`);
    if (visiting.includes(name)) throw new Error(`jobs need each other: ${[...visiting, name].join(' -> ')}`);
    const path = [...before(job, [...visiting, name]), ...jobSteps(name, job, job.steps)];
    memo.set(name, path);
    return path;
  };
  const before = (job: WorkflowJob, visiting: string[]) =>
    job.needs
      .map((need) => through(need, visiting))
      .reduce<PathStep[]>((a, b) => (total(b) > total(a) ? b : a), []);
  const [name, job] = target;
  const upToRollout = job.steps.slice(0, job.steps.findIndex(startsRollout) + 1);
  const steps = [...before(job, [name]), ...jobSteps(name, job, upToRollout)];
  return { steps, seconds: total(steps) };
}

const minutes = (seconds: number) => `${seconds} s (${(seconds / 60).toFixed(1)} min)`;

/** A Markdown table padded the way the repository's formatter (Biome) lays tables out. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((cell, i) => Math.max(3, cell.length, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Markdown: the settings both designs are computed from, then the estimate step by step. */
export function formatComparison(name: string, ours: RolloutEstimate, reference: RolloutEstimate): string {
  const s = ours.settings;
  const r = reference.settings;
  const healthCheck = (x: RolloutSettings) =>
    `${x.healthCheckProtocol} every ${x.healthCheckIntervalSeconds} s, healthy after ${x.healthyThreshold}`;
  const start = (x: RolloutSettings) => (x.automatic ? 'on merge' : 'manual redeploy');
  const rows = [
    ['health check', healthCheck(s), healthCheck(r)],
    ['deregistration delay', `${s.deregistrationDelaySeconds} s`, `${r.deregistrationDelaySeconds} s`],
    ['health check grace period', `${s.gracePeriodSeconds} s`, `${r.gracePeriodSeconds} s`],
    [
      'min healthy / max percent',
      `${s.minHealthyPercent} / ${s.maxPercent}`,
      `${r.minHealthyPercent} / ${r.maxPercent}`,
    ],
    [
      'tasks, batch size, batches',
      `${s.desiredCount}, ${ours.batchSize}, ${ours.batches}`,
      `${r.desiredCount}, ${reference.batchSize}, ${reference.batches}`,
    ],
    ['rollout starts', start(s), start(r)],
    ...ours.steps.map((step, i) => [step.step, `${step.seconds} s`, `${reference.steps[i]?.seconds ?? 0} s`]),
    [
      '**merge to every task serving**',
      `**${minutes(ours.servingSeconds)}**`,
      `**${minutes(reference.servingSeconds)}**${r.automatic ? '' : ' + time until someone redeploys'}`,
    ],
    [
      '**merge to every task replaced**',
      `**${minutes(ours.totalSeconds)}**`,
      `**${minutes(reference.totalSeconds)}**${r.automatic ? '' : ' + time until someone redeploys'}`,
    ],
    [
      'a failing new task noticed after',
      `${ours.failureDetectionSeconds} s`,
      `${reference.failureDetectionSeconds} s`,
    ],
  ];
  return [
    `#### ${name}`,
    '',
    markdownTable(['', 'lattice-ingress (synthesized)', 'reference design'], rows),
  ].join('\n');
}

export const ROLLOUT_TIME_BLOCK = generatedBlock(
  'rollout-time',
  'npx tsx infra/rollout-time.ts --write-docs',
);

export interface Comparison {
  name: string;
  text: string;
  estimate: RolloutEstimate;
}

/** A workflow's jobs, with the jobs of the local workflows it calls inlined; called paths are from the root. */
export async function readWorkflow(file: string): Promise<Map<string, WorkflowJob>> {
  const parse = async (path: string) => parseWorkflow(await readFile(path, 'utf8'), relative(ROOT, path));
  return inlineCalledWorkflows(await parse(file), (called) => parse(resolve(ROOT, called)));
}

/** The deploy workflow's critical path; the figure both designs' estimates start from. */
export async function workflowPath(
  file: string = WORKFLOW_FILE,
  conditions: Record<string, boolean> = CONDITIONS,
) {
  return criticalPath(await readWorkflow(file), STEP_SECONDS, conditions);
}

/** Synthesizes every environment's Ingress stack from config/ (no cdk-nag, no files) and compares each. */
export async function comparisonForConfig(configDir: string, workflowSeconds: number): Promise<Comparison[]> {
  const [{ requireValidConfig }, { buildApp }, { App }] = await Promise.all([
    import('../src/config/valid-config.ts'),
    import('./app.ts'),
    import('aws-cdk-lib'),
  ]);
  const { config } = await requireValidConfig(configDir);
  // Only the values matter here: no cdk-nag, no template validation.
  const context = { '@aws-cdk/core:validateAgainstDefaultRules': false };
  const { app, stacks } = buildApp(config, new App({ context }), { nag: false });
  const assembly = app.synth();
  const reference = estimateRollout(REFERENCE_DESIGN, workflowSeconds);
  return [...stacks].map(([name, { ingress }]) => {
    const template = assembly.getStackByName(ingress.stackName).template as CfnTemplate;
    const estimate = estimateRollout(rolloutSettingsFromTemplate(template), workflowSeconds);
    return { name, estimate, text: formatComparison(name, estimate, reference) };
  });
}

export async function comparisonForTemplate(file: string, workflowSeconds: number): Promise<Comparison> {
  const template = JSON.parse(await readFile(file, 'utf8')) as CfnTemplate;
  const estimate = estimateRollout(rolloutSettingsFromTemplate(template), workflowSeconds);
  const reference = estimateRollout(REFERENCE_DESIGN, workflowSeconds);
  return { name: file, estimate, text: formatComparison(file, estimate, reference) };
}

/** The goal for an allowlist-only change: merge to every task serving. */
export const SERVING_GOAL_SECONDS = 180;

/**
 * Markdown: the critical path step by step, each with its assumed duration and why: the workflow's steps up to the
 * start of the rollout, then the first environment's rollout until every task serves.
 */
export function formatCriticalPath(
  path: { steps: PathStep[]; seconds: number },
  file: string,
  first: Comparison,
): string {
  const rows = path.steps.map((step) => [step.job, step.step, `${step.seconds} s`, step.why]);
  const rollout = first.estimate.servingSteps.map((step) => [
    'ECS, NLB',
    step.step,
    `${step.seconds} s`,
    step.step.includes('(assumed)') ? 'see below' : `from the synthesized ${first.name} template`,
  ]);
  const serving = first.estimate.servingSeconds;
  return [
    `#### Critical path through \`${file}\` (and the workflows it calls) to every task serving`,
    '',
    markdownTable(
      ['job', 'step', 'assumed', 'why'],
      [
        ...rows,
        ['', '**merge to the start of the rollout**', `**${path.seconds} s**`, ''],
        ...rollout,
        [
          '',
          `**merge to every task serving (${first.name})**`,
          `**${serving} s**`,
          `goal ${SERVING_GOAL_SECONDS} s: ${serving <= SERVING_GOAL_SECONDS ? 'met' : `${serving - SERVING_GOAL_SECONDS} s over`}`,
        ],
      ],
    ),
  ].join('\n');
}

/**
 * `suiteRuns`: the same path when the deploy runs the suite itself (CONDITIONS with SUITE_RUNS holding), shown as the
 * price of merging a branch that was behind main.
 */
export function docsBlock(
  comparisons: Comparison[],
  path: { steps: PathStep[]; seconds: number },
  suiteRuns: { seconds: number },
): string {
  const a = ASSUMPTIONS;
  const [first] = comparisons;
  if (!first) throw new Error('no environment to compute the rollout for');
  const afterWorkflow = first.estimate.servingSeconds - path.seconds;
  return [
    ...comparisons.map((c) => c.text),
    `Assumed, not synthesized: ${a.taskStartSeconds} s to start a Fargate task, ${a.targetRegistrationSeconds} s ` +
      `for a new target's registration to take effect, ${a.shutdownSeconds} s for NGINX to exit once drained. ` +
      "Each environment's deploy job first runs the order guard, which refuses a commit older than one the " +
      'environment already had, right after its checkout and Node.js set-up (no job of its own, so no runner more ' +
      'to wait for). Environments deploy one after another: the stage jobs of deploy.yml are chained by `needs:`, ' +
      'each starting once the environment before has deployed and verified this commit (its deploy and, with a ' +
      'smoke runner, verify jobs), so the figures above hold for the first environment and each later one starts ' +
      'that much later. The converge job runs only after a cancelled stage, off this path.',
    formatCriticalPath(path, relative(ROOT, WORKFLOW_FILE), first),
    'When no pull request gate passed on the merged tree (the branch was behind main, or a direct push), the Test ' +
      `job runs the suite and is the longest predecessor: ${suiteRuns.seconds} s to the start of the rollout, ` +
      `${suiteRuns.seconds + afterWorkflow} s to every task serving.`,
  ].join('\n\n');
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DOCS_FILE = resolve(ROOT, 'docs/infrastructure.md');
export const WORKFLOW_FILE = resolve(ROOT, '.github/workflows/deploy.yml');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      template: { type: 'string' },
      config: { type: 'string', default: resolve(ROOT, 'config') },
      workflow: { type: 'string', default: WORKFLOW_FILE },
      json: { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const path = await workflowPath(values.workflow);
  const suiteRuns = await workflowPath(values.workflow, { ...CONDITIONS, [SUITE_RUNS]: true });
  const comparisons = values.template
    ? [await comparisonForTemplate(values.template, path.seconds)]
    : await comparisonForConfig(values.config, path.seconds);
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          criticalPath: path,
          criticalPathWhenTheSuiteRuns: suiteRuns,
          reference: estimateRollout(REFERENCE_DESIGN, path.seconds),
          environments: comparisons.map(({ name, estimate }) => ({ name, ...estimate })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const block = docsBlock(comparisons, path, suiteRuns);
  if (values['write-docs']) {
    await writeFile(
      DOCS_FILE,
      replaceGeneratedBlock(await readFile(DOCS_FILE, 'utf8'), ROLLOUT_TIME_BLOCK, block),
    );
    console.log(`updated ${DOCS_FILE}`);
    return 0;
  }
  console.log(block);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      console.error(`rollout-time: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
