// Expected time from merge to every proxy task replaced, computed from the synthesized Ingress template, next to the
// same figure for the reference design. docs/infrastructure.md embeds the output; a test keeps the two equal.
//
//   npx tsx infra/rollout-time.ts                  print the table for every environment in config/
//   npx tsx infra/rollout-time.ts --template FILE  read one synthesized template instead
//   npx tsx infra/rollout-time.ts --json           machine-readable
//   npx tsx infra/rollout-time.ts --write-docs     refresh the block in docs/infrastructure.md
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generatedBlock } from './docs-block.ts';

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
  /** Workflow from merge to the CloudFormation update: validate, render, build and push the image, deploy-infra. */
  pipelineSeconds: number;
  /** Fargate provisioning, image pull through the VPC endpoints, NGINX start. */
  taskStartSeconds: number;
  /** From target registration until the NLB's first health check counts. */
  targetRegistrationSeconds: number;
  /** NGINX exit after SIGQUIT once the NLB has closed the remaining connections. */
  shutdownSeconds: number;
}

export const ASSUMPTIONS: Assumptions = {
  pipelineSeconds: 240,
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
  /** New tasks ECS may start at once: desired x (max - 100) %, at least one. */
  batchSize: number;
  batches: number;
  steps: { step: string; seconds: number }[];
  totalSeconds: number;
  /** How long a broken task can look alive before the service reacts (grace period, then failing checks). */
  failureDetectionSeconds: number;
}

export function estimateRollout(
  settings: RolloutSettings,
  assumptions: Assumptions = ASSUMPTIONS,
): RolloutEstimate {
  const batchSize = Math.max(1, Math.floor((settings.desiredCount * (settings.maxPercent - 100)) / 100));
  const batches = Math.ceil(settings.desiredCount / batchSize);
  const healthy = settings.healthCheckIntervalSeconds * settings.healthyThreshold;
  const stop = Math.min(assumptions.shutdownSeconds, settings.stopTimeoutSeconds);
  const perBatch: { step: string; seconds: number }[] = [
    { step: 'start new tasks (assumed)', seconds: assumptions.taskStartSeconds },
    { step: 'target registration (assumed)', seconds: assumptions.targetRegistrationSeconds },
    { step: 'health checks until healthy (interval x healthy threshold)', seconds: healthy },
    { step: 'deregistration delay (drain old tasks)', seconds: settings.deregistrationDelaySeconds },
    { step: 'stop old tasks (assumed)', seconds: stop },
  ];
  const steps = [
    {
      step: settings.automatic
        ? 'pipeline to rollout (assumed)'
        : 'pipeline to image push (assumed), then a manual redeploy',
      seconds: assumptions.pipelineSeconds,
    },
    ...perBatch.map(({ step, seconds }) => ({
      step: batches > 1 ? `${step} x ${batches} batches` : step,
      seconds: seconds * batches,
    })),
  ];
  return {
    settings,
    batchSize,
    batches,
    steps,
    totalSeconds: steps.reduce((sum, s) => sum + s.seconds, 0),
    failureDetectionSeconds:
      Math.max(settings.gracePeriodSeconds, assumptions.taskStartSeconds) +
      settings.healthCheckIntervalSeconds * settings.unhealthyThreshold,
  };
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

const ROLLOUT_TIME_BLOCK = generatedBlock('rollout-time', 'npx tsx infra/rollout-time.ts --write-docs');
export const DOCS_BEGIN = ROLLOUT_TIME_BLOCK.begin;
export const DOCS_END = ROLLOUT_TIME_BLOCK.end;
export const replaceDocsBlock = ROLLOUT_TIME_BLOCK.replace;
export const extractDocsBlock = ROLLOUT_TIME_BLOCK.extract;

/** Synthesizes every environment's Ingress stack from config/ (no cdk-nag, no files) and compares each. */
export async function comparisonForConfig(
  configDir: string,
): Promise<{ name: string; text: string; estimate: RolloutEstimate }[]> {
  const [{ loadConfig }, { formatDiagnostics }, { buildApp }, { App }] = await Promise.all([
    import('../src/config/load.ts'),
    import('../src/config/diagnostics.ts'),
    import('./app.ts'),
    import('aws-cdk-lib'),
  ]);
  const { config, diagnostics } = await loadConfig(configDir);
  if (!config) throw new Error(`${configDir} has errors:\n${formatDiagnostics(diagnostics, 'text')}`);
  // Only the values matter here: no cdk-nag, no template validation.
  const context = { '@aws-cdk/core:validateAgainstDefaultRules': false };
  const { app, stacks } = buildApp(config, new App({ context }), { nag: false });
  const assembly = app.synth();
  const reference = estimateRollout(REFERENCE_DESIGN);
  return [...stacks].map(([name, { ingress }]) => {
    const template = assembly.getStackByName(ingress.stackName).template as CfnTemplate;
    const estimate = estimateRollout(rolloutSettingsFromTemplate(template));
    return { name, estimate, text: formatComparison(name, estimate, reference) };
  });
}

export async function comparisonForTemplate(file: string) {
  const template = JSON.parse(await readFile(file, 'utf8')) as CfnTemplate;
  const estimate = estimateRollout(rolloutSettingsFromTemplate(template));
  return { name: file, estimate, text: formatComparison(file, estimate, estimateRollout(REFERENCE_DESIGN)) };
}

export function docsBlock(comparisons: { text: string }[]): string {
  const a = ASSUMPTIONS;
  return [
    ...comparisons.map((c) => c.text),
    `Assumed, not synthesized: ${a.pipelineSeconds} s of workflow before the CloudFormation update, ` +
      `${a.taskStartSeconds} s to start a Fargate task, ${a.targetRegistrationSeconds} s for a new target's ` +
      `registration to take effect, ${a.shutdownSeconds} s for NGINX to exit once drained.`,
  ].join('\n\n');
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DOCS_FILE = resolve(ROOT, 'docs/infrastructure.md');

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      template: { type: 'string' },
      config: { type: 'string', default: resolve(ROOT, 'config') },
      json: { type: 'boolean', default: false },
      'write-docs': { type: 'boolean', default: false },
    },
  });
  const comparisons = values.template
    ? [await comparisonForTemplate(values.template)]
    : await comparisonForConfig(values.config);
  if (values.json) {
    console.log(
      JSON.stringify(
        {
          reference: estimateRollout(REFERENCE_DESIGN),
          environments: comparisons.map(({ name, estimate }) => ({ name, ...estimate })),
        },
        null,
        2,
      ),
    );
    return 0;
  }
  const block = docsBlock(comparisons);
  if (values['write-docs']) {
    await writeFile(DOCS_FILE, replaceDocsBlock(await readFile(DOCS_FILE, 'utf8'), block));
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
