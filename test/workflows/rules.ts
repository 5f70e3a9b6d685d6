// Contract and hardening rules for .github/workflows, as small pure functions over the parsed workflow and the
// actions' action.yml files (cdk-nag style: each rule has an id and returns findings with a message saying
// where the problem is and how to fix it). test/workflows/contract.test.ts runs them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export interface ActionInput {
  required?: boolean;
  default?: unknown;
}

export interface ActionDefinition {
  inputs: Record<string, ActionInput>;
  outputs: Record<string, unknown>;
}

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  if?: unknown;
}

export interface Job {
  name?: string;
  /** A local reusable workflow (./.github/workflows/x.yml) this job calls instead of running steps. */
  uses?: string;
  with?: Record<string, unknown>;
  'runs-on'?: unknown;
  'timeout-minutes'?: unknown;
  permissions?: Record<string, string> | string;
  outputs?: Record<string, string>;
  env?: Record<string, unknown>;
  environment?: unknown;
  if?: unknown;
  needs?: string | string[];
  strategy?: unknown;
  concurrency?: { group?: string; 'cancel-in-progress'?: unknown } | string;
  steps?: Step[];
}

export interface WorkflowCallInput {
  type?: string;
  required?: boolean;
  default?: unknown;
}

export interface Workflow {
  on?: unknown;
  permissions?: Record<string, string> | string;
  jobs: Record<string, Job>;
}

/** What a rule sees: one workflow, its text (for comments), and the repository's local actions. */
export interface RuleContext {
  file: string;
  source: string;
  workflow: Workflow;
  /** Local actions by `uses:` path (./actions/x); an absent key means the directory has no action.yml. */
  actions: ReadonlyMap<string, ActionDefinition>;
  /** The repository's workflows by `uses:` path (./.github/workflows/x.yml), for jobs that call one. */
  workflows: ReadonlyMap<string, Workflow>;
}

export interface Finding {
  rule: string;
  message: string;
}

export interface Rule {
  id: string;
  description: string;
  check: (context: RuleContext) => string[];
}

const FULL_SHA = /^[0-9a-f]{40}$/;
const AWS_CREDENTIALS_ACTION = 'aws-actions/configure-aws-credentials';
/** Contexts a pull request author, a dispatcher or config/ can steer: never expanded inside a shell script. */
const UNTRUSTED_IN_RUN = /\$\{\{[^}]*?\b(github\.event\b|inputs\.|github\.head_ref\b|matrix\.)/;

function* steps(workflow: Workflow): Generator<{ jobId: string; job: Job; step: Step; where: string }> {
  for (const [jobId, job] of Object.entries(workflow.jobs ?? {})) {
    for (const [index, step] of (job.steps ?? []).entries()) {
      const label = step.id ?? step.name ?? step.uses ?? `#${index + 1}`;
      yield { jobId, job, step, where: `jobs.${jobId}.steps[${index}] (${label})` };
    }
  }
}

function isLocal(uses: string): boolean {
  return uses.startsWith('./');
}

function actionName(uses: string): string {
  return uses.split('@')[0] ?? uses;
}

/** Every `${{ ... }}` expression string anywhere under a value. */
function expressionsIn(value: unknown): string[] {
  if (typeof value === 'string') return value.match(/\$\{\{[\s\S]*?\}\}/g) ?? [];
  if (Array.isArray(value)) return value.flatMap(expressionsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(expressionsIn);
  return [];
}

/** if: conditions are expressions even without ${{ }}. */
function conditionsIn(job: Job): string[] {
  return (job.steps ?? []).flatMap((s) => (typeof s.if === 'string' ? [s.if] : []));
}

function triggers(workflow: Workflow): string[] {
  const on = workflow.on;
  return typeof on === 'string' ? [on] : Array.isArray(on) ? on : Object.keys(on ?? {});
}

/** Each distinct match of a pattern across expressions, so one read reported once. */
function uniqueMatches(expressions: readonly string[], pattern: RegExp): RegExpMatchArray[] {
  const seen = new Map<string, RegExpMatchArray>();
  for (const match of expressions.flatMap((e) => [...e.matchAll(pattern)])) seen.set(match[0], match);
  return [...seen.values()];
}

function permissionsOf(job: Job): Record<string, string> {
  return typeof job.permissions === 'object' && job.permissions !== null ? job.permissions : {};
}

/** The inputs a reusable workflow declares under on.workflow_call, or undefined when it is not callable. */
function workflowCallInputs(workflow: Workflow): Record<string, WorkflowCallInput> | undefined {
  const on = workflow.on;
  if (!on || typeof on !== 'object' || Array.isArray(on) || !('workflow_call' in on)) return undefined;
  const call = (on as { workflow_call?: { inputs?: Record<string, WorkflowCallInput> } | null })
    .workflow_call;
  return call?.inputs ?? {};
}

/** The outputs a job declares; for a job calling a reusable workflow, those of the called on.workflow_call. */
function jobOutputs(job: Job, workflows: ReadonlyMap<string, Workflow>): Record<string, unknown> {
  const called = calledWorkflow(job, workflows);
  if (!called) return job.outputs ?? {};
  const on = called.on as { workflow_call?: { outputs?: Record<string, unknown> } | null } | undefined;
  return on?.workflow_call?.outputs ?? {};
}

/** A workflow only other workflows start: its jobs run under the calling job's concurrency and permissions. */
function isOnlyCalled(workflow: Workflow): boolean {
  const on = triggers(workflow);
  return on.length === 1 && on[0] === 'workflow_call';
}

/** The local reusable workflow a job calls, if it calls one. */
function calledWorkflow(job: Job, workflows: ReadonlyMap<string, Workflow>): Workflow | undefined {
  return job.uses ? workflows.get(job.uses) : undefined;
}

function assumesAwsRole(job: Job): boolean {
  return (job.steps ?? []).some((s) => s.uses && actionName(s.uses) === AWS_CREDENTIALS_ACTION);
}

const PERMISSION_LEVEL: Record<string, number> = { none: 0, read: 1, write: 2 };

export const rules: readonly Rule[] = [
  {
    id: 'local-action-exists',
    description: 'Every `uses: ./actions/x` names a directory with an action.yml.',
    check: ({ workflow, actions }) =>
      [...steps(workflow)]
        .filter(({ step }) => step.uses && isLocal(step.uses) && !actions.has(step.uses))
        .map(
          ({ step, where }) =>
            `${where} uses ${step.uses}, which has no action.yml: fix the path or add the action`,
        ),
  },
  {
    id: 'inputs-exist',
    description: 'Every `with:` key of a local action is an input its action.yml declares.',
    check: ({ workflow, actions }) =>
      [...steps(workflow)].flatMap(({ step, where }) => {
        const action = step.uses ? actions.get(step.uses) : undefined;
        if (!action) return [];
        return Object.keys(step.with ?? {})
          .filter((input) => !(input in action.inputs))
          .map(
            (input) =>
              `${where} passes unknown input "${input}" to ${step.uses}; it declares: ${Object.keys(action.inputs).join(', ')}`,
          );
      }),
  },
  {
    id: 'required-inputs-passed',
    description: 'Every required input without a default is passed.',
    check: ({ workflow, actions }) =>
      [...steps(workflow)].flatMap(({ step, where }) => {
        const action = step.uses ? actions.get(step.uses) : undefined;
        if (!action) return [];
        return Object.entries(action.inputs)
          .filter(
            ([name, input]) =>
              input.required === true && input.default === undefined && !(name in (step.with ?? {})),
          )
          .map(([name]) => `${where} does not pass required input "${name}" of ${step.uses}`);
      }),
  },
  {
    id: 'step-outputs-exist',
    description: 'Every `steps.<id>.outputs.<name>` read names a step of the job that produces that output.',
    check: ({ workflow, actions }) =>
      Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        const byId = new Map((job.steps ?? []).filter((s) => s.id).map((s) => [s.id as string, s]));
        const reads = uniqueMatches(
          [...expressionsIn(job), ...conditionsIn(job)],
          /\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g,
        );
        return reads.flatMap(([text, id = '', output = '']) => {
          const step = byId.get(id);
          if (!step) return [`jobs.${jobId} reads ${text}, but the job has no step with id "${id}"`];
          const action = step.uses && isLocal(step.uses) ? actions.get(step.uses) : undefined;
          if (action && !(output in action.outputs)) {
            return [`jobs.${jobId} reads ${text}, but ${step.uses} declares no output "${output}"`];
          }
          if (step.run !== undefined && !step.run.includes('GITHUB_OUTPUT')) {
            return [`jobs.${jobId} reads ${text}, but step "${id}" never writes to $GITHUB_OUTPUT`];
          }
          return [];
        });
      }),
  },
  {
    id: 'job-outputs-exist',
    description: 'Every `needs.<job>.outputs.<name>` read names a needed job that declares that output.',
    check: ({ workflow, workflows }) =>
      Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        const reads = uniqueMatches(
          [...expressionsIn(job), ...(typeof job.if === 'string' ? [job.if] : [])],
          /\bneeds\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g,
        );
        return reads.flatMap(([text, needed = '', output = '']) => {
          const other = workflow.jobs[needed];
          if (!other) return [`jobs.${jobId} reads ${text}, but there is no job "${needed}"`];
          if (!(output in jobOutputs(other, workflows)))
            return [`jobs.${jobId} reads ${text}, but jobs.${needed} declares no output "${output}"`];
          return [];
        });
      }),
  },
  {
    id: 'job-timeout',
    description: 'Every job has timeout-minutes (the default is six hours).',
    check: ({ workflow }) =>
      Object.entries(workflow.jobs ?? {})
        // A job that calls a reusable workflow cannot set one; the called workflow's jobs must.
        .filter(([, job]) => job['timeout-minutes'] === undefined && job.uses === undefined)
        .map(([jobId]) => `jobs.${jobId} has no timeout-minutes: add one sized for the job`),
  },
  {
    id: 'top-level-permissions-read-only',
    description: 'The workflow-level token is empty or read-only; jobs ask for what they need.',
    check: ({ workflow }) => {
      const p = workflow.permissions;
      if (p === undefined) return ['no top-level permissions: add `permissions: {}` and grant per job'];
      if (typeof p === 'string')
        return p === 'read-all' ? [] : [`top-level permissions: ${p} is not read-only`];
      return Object.entries(p)
        .filter(([, level]) => level !== 'read' && level !== 'none')
        .map(
          ([scope, level]) =>
            `top-level permissions grant ${scope}: ${level}; grant it on the job that needs it`,
        );
    },
  },
  {
    id: 'id-token-only-with-aws-credentials',
    description:
      'id-token: write exactly on the jobs that assume an AWS role with configure-aws-credentials.',
    check: ({ workflow, workflows }) =>
      Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        // A job calling a reusable workflow grants the token that workflow's jobs ask for.
        const called = calledWorkflow(job, workflows);
        const assumesRole = called
          ? Object.values(called.jobs ?? {}).some(assumesAwsRole)
          : assumesAwsRole(job);
        const hasIdToken = permissionsOf(job)['id-token'] === 'write';
        if (assumesRole && !hasIdToken) {
          return [
            `jobs.${jobId} uses ${AWS_CREDENTIALS_ACTION} without id-token: write: OIDC cannot work; add it to the job's permissions`,
          ];
        }
        if (!assumesRole && hasIdToken)
          return [`jobs.${jobId} has id-token: write but assumes no AWS role: remove it`];
        return [];
      }),
  },
  {
    id: 'actions-pinned-by-sha',
    description:
      'Every non-local action is pinned to a full 40-hex commit SHA, with its version in a comment.',
    check: ({ workflow, source }) =>
      [...steps(workflow)].flatMap(({ step, where }) => {
        if (!step.uses || isLocal(step.uses)) return [];
        const ref = step.uses.split('@')[1] ?? '';
        if (!FULL_SHA.test(ref)) {
          return [
            `${where} uses ${step.uses}: pin it to a full commit SHA (uses: ${actionName(step.uses)}@<40 hex> # vX.Y.Z)`,
          ];
        }
        const commented = source
          .split('\n')
          .some((line) => line.includes(step.uses as string) && /#\s*v\d+\.\d+\.\d+\b/.test(line));
        return commented
          ? []
          : [`${where} uses ${step.uses} without a "# vX.Y.Z" comment saying which release the SHA is`];
      }),
  },
  {
    id: 'no-pull-request-target',
    description: 'No pull_request_target trigger (it runs with secrets and a write token on untrusted code).',
    check: ({ workflow }) =>
      triggers(workflow).includes('pull_request_target')
        ? ['uses pull_request_target: use pull_request']
        : [],
  },
  {
    id: 'pull-request-writers-run-no-pr-code',
    description: 'On pull_request, a job with a write scope (other than id-token) checks out no code.',
    check: ({ workflow }) => {
      if (!triggers(workflow).includes('pull_request')) return [];
      return Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        const writes = Object.entries(permissionsOf(job)).filter(
          ([scope, level]) => level === 'write' && scope !== 'id-token',
        );
        const checksOut = (job.steps ?? []).some((s) => s.uses && actionName(s.uses) === 'actions/checkout');
        if (writes.length === 0 || !checksOut) return [];
        const scopes = writes.map(([scope]) => `${scope}: write`).join(', ');
        return [
          `jobs.${jobId} has ${scopes} and checks out the pull request's code: split the write into a job without checkout`,
        ];
      });
    },
  },
  {
    id: 'checkout-without-credentials',
    description: 'actions/checkout never leaves the token in .git/config.',
    check: ({ workflow }) =>
      [...steps(workflow)]
        .filter(({ step }) => step.uses && actionName(step.uses) === 'actions/checkout')
        .filter(({ step }) => step.with?.['persist-credentials'] !== false)
        .map(({ where }) => `${where} checks out without persist-credentials: false`),
  },
  {
    id: 'no-untrusted-expression-in-run',
    description:
      'github.event, inputs, github.head_ref and matrix values reach run: scripts only through env:.',
    check: ({ workflow }) =>
      [...steps(workflow)]
        .filter(({ step }) => typeof step.run === 'string' && UNTRUSTED_IN_RUN.test(step.run))
        .map(({ step, where }) => {
          const expression = (step.run as string).match(UNTRUSTED_IN_RUN)?.[0] ?? '';
          return `${where} expands ${expression}…}} inside run:; pass it through env: and use "$VARIABLE"`;
        }),
  },
  {
    id: 'no-reserved-env-names',
    description: 'No env: variable named GITHUB_* or RUNNER_* (the runner ignores or overrides them).',
    check: ({ workflow }) => {
      const scopes: [string, Record<string, unknown> | undefined][] = [
        ...Object.entries(workflow.jobs ?? {}).map(
          ([jobId, job]): [string, Record<string, unknown> | undefined] => [`jobs.${jobId}`, job.env],
        ),
        ...[...steps(workflow)].map(({ step, where }): [string, Record<string, unknown> | undefined] => [
          where,
          step.env,
        ]),
      ];
      return scopes.flatMap(([where, env]) =>
        Object.keys(env ?? {})
          .filter((name) => /^(GITHUB|RUNNER)_/.test(name))
          .map(
            (name) =>
              `${where} sets env ${name}: names starting with GITHUB_ or RUNNER_ are the runner's; rename it`,
          ),
      );
    },
  },
  {
    id: 'setup-node-24-with-cache',
    description: 'setup-node installs Node.js 24 (what the actions run on) and caches npm.',
    check: ({ workflow }) =>
      [...steps(workflow)]
        .filter(({ step }) => step.uses && actionName(step.uses) === 'actions/setup-node')
        .filter(({ step }) => String(step.with?.['node-version']) !== '24' || step.with?.cache !== 'npm')
        .map(({ where }) => `${where} must set node-version: 24 and cache: npm`),
  },
  {
    id: 'environment-jobs-serialised',
    description:
      'Jobs that act on a GitHub environment share its deploy-<env> concurrency group and are never cancelled once running; in a reusable workflow, the calling job holds the group for all of them. ' +
      'Break-glass revocations, which touch only the network ACL and must not wait behind a deployment, use revoke-<env>.',
    check: ({ workflow, workflows }) => {
      const serialised = (c: Job['concurrency'], jobId: string) =>
        typeof c === 'object' &&
        (c.group?.startsWith('deploy-') === true ||
          (jobId === 'revoke' && c.group?.startsWith('revoke-') === true)) &&
        c['cancel-in-progress'] === false;
      return Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        const called = calledWorkflow(job, workflows);
        const actsOnEnvironment = called
          ? Object.values(called.jobs ?? {}).some((j) => j.environment !== undefined)
          : job.environment !== undefined && !isOnlyCalled(workflow);
        if (!actsOnEnvironment || serialised(job.concurrency, jobId)) return [];
        return [
          `jobs.${jobId} deploys to an environment without concurrency { group: deploy-<env>, cancel-in-progress: false }`,
        ];
      });
    },
  },
  {
    id: 'reusable-workflow-called-correctly',
    description:
      'A job calling a local reusable workflow names one with on.workflow_call, passes only inputs it declares and every required one.',
    check: ({ workflow, workflows }) =>
      Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        if (!job.uses || !isLocal(job.uses)) return [];
        const called = workflows.get(job.uses);
        const inputs = called ? workflowCallInputs(called) : undefined;
        if (!inputs)
          return [`jobs.${jobId} calls ${job.uses}, which is not a workflow with on.workflow_call`];
        const passed = job.with ?? {};
        return [
          ...Object.keys(passed)
            .filter((name) => !(name in inputs))
            .map(
              (name) =>
                `jobs.${jobId} passes unknown input "${name}" to ${job.uses}; it declares: ${Object.keys(inputs).join(', ')}`,
            ),
          ...Object.entries(inputs)
            .filter(
              ([name, input]) => input.required === true && input.default === undefined && !(name in passed),
            )
            .map(([name]) => `jobs.${jobId} does not pass required input "${name}" of ${job.uses}`),
        ];
      }),
  },
  {
    id: 'caller-grants-called-permissions',
    description:
      'A job calling a reusable workflow grants at least every permission the called jobs ask for (GitHub refuses to start the run otherwise).',
    check: ({ workflow, workflows }) =>
      Object.entries(workflow.jobs ?? {}).flatMap(([jobId, job]) => {
        const called = calledWorkflow(job, workflows);
        if (!called) return [];
        const granted = permissionsOf(job);
        return Object.entries(called.jobs ?? {}).flatMap(([calledId, calledJob]) =>
          Object.entries(permissionsOf(calledJob))
            .filter(
              ([scope, level]) =>
                (PERMISSION_LEVEL[granted[scope] ?? 'none'] ?? 0) < (PERMISSION_LEVEL[level] ?? 0),
            )
            .map(
              ([scope, level]) =>
                `jobs.${jobId} calls ${job.uses}, whose jobs.${calledId} needs ${scope}: ${level}: grant it on jobs.${jobId}`,
            ),
        );
      }),
  },
];

/** A GitHub expression as workflow text: expr('inputs.x') is the eight characters `${{`, ` inputs.x `, `}}`. */
export function expr(body: string): string {
  return `$\{{ ${body} }}`;
}

export function checkWorkflow(context: RuleContext): Finding[] {
  return rules.flatMap((rule) => rule.check(context).map((message) => ({ rule: rule.id, message })));
}

export function formatFindings(file: string, findings: readonly Finding[]): string {
  return findings.map((f) => `${file}: [${f.rule}] ${f.message}`).join('\n');
}

// ---- loading (the only I/O) ---------------------------------------------------------------------------------

export function loadActions(root: string): Map<string, ActionDefinition> {
  const dir = join(root, 'actions');
  const actions = new Map<string, ActionDefinition>();
  if (!existsSync(dir)) return actions;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'action.yml');
    if (!existsSync(file)) continue;
    const parsed = parse(readFileSync(file, 'utf8')) as Partial<ActionDefinition> | null;
    actions.set(`./actions/${name}`, { inputs: parsed?.inputs ?? {}, outputs: parsed?.outputs ?? {} });
  }
  return actions;
}

/** Every workflow of the repository by the path a calling job's `uses:` names it with. */
export function loadWorkflows(root: string): Map<string, Workflow> {
  const dir = join(root, '.github', 'workflows');
  return new Map(
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => [`./.github/workflows/${f}`, parse(readFileSync(join(dir, f), 'utf8')) as Workflow]),
  );
}

export function workflowContext(
  file: string,
  source: string,
  actions: ReadonlyMap<string, ActionDefinition>,
  workflows: ReadonlyMap<string, Workflow>,
): RuleContext {
  return { file, source, workflow: parse(source) as Workflow, actions, workflows };
}
