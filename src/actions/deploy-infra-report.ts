// A deploy-infra outcome as the deploy-infra action reports it: the outputs (stack outputs, service-rollout, the
// diff file), the job summary (what each stack did, the outputs, the diff, or why it failed: the failed resources,
// the cancelled update and where its rollback got, the last lines cdk printed) and the step's result.
import { writeFile } from 'node:fs/promises';
import type { Environment } from '../config/model.ts';
import { actionOutputs, type DeployInfraOutcome } from '../operations/deploy-infra.ts';
import { Report } from '../render/report.ts';
import { type ActionIO, newReport } from './io.ts';
import { ActionFailure } from './run.ts';

const MAX_DIFF_MARKDOWN = 60_000;

type Diffed = Extract<DeployInfraOutcome, { state: 'diffed' }>;
type Deployed = Extract<DeployInfraOutcome, { state: 'deployed' }>;
type Failed = Extract<DeployInfraOutcome, { state: 'failed' }>;

/** Resolves when the stacks were deployed or diffed, else throws ActionFailure; a diff is written to `diffFile`. */
export async function reportDeployInfra(
  outcome: DeployInfraOutcome,
  environment: Environment,
  mode: 'deploy' | 'diff',
  diffFile: string,
  io: ActionIO,
): Promise<void> {
  if (outcome.state === 'refused') throw new ActionFailure(outcome.reason);
  if (outcome.state === 'diffed') {
    // Markdown wherever the action runs: the file becomes a pull request comment.
    await writeFile(diffFile, diffReport(environment.name, outcome, new Report('markdown')).text());
    io.setOutput('diff-file', diffFile);
  }
  if (mode === 'deploy' && outcome.state !== 'diffed') {
    // service-rollout, and rolled-out (the failure report reads it): whether cdk deploy started an ECS deployment.
    io.setOutput('service-rollout', outcome.serviceRollout);
    io.setOutput('rolled-out', outcome.serviceRollout !== 'none');
  }
  if (outcome.state !== 'failed') {
    io.setOutput('outputs-json', JSON.stringify(outcome.outputs));
    for (const [name, value] of Object.entries(actionOutputs(environment, outcome.outputs)))
      io.setOutput(name, value);
    io.setOutput('has-changes', outcome.changed);
  }
  await io.appendSummary(deployInfraReport(environment, mode, outcome, newReport(io)).text());
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
}

function deployInfraReport(
  environment: Environment,
  mode: 'deploy' | 'diff',
  outcome: DeployInfraOutcome,
  report: Report,
): Report {
  switch (outcome.state) {
    case 'refused':
      return report;
    case 'diffed':
      return diffReport(environment.name, outcome, report);
    case 'deployed':
      return deployedReport(environment, outcome, report);
    case 'failed':
      return failedReport(environment.name, mode, outcome, report);
  }
}

/** The `cdk diff` section, also written to the diff file for the pull request comment. */
function diffReport(environment: string, outcome: Diffed, report: Report): Report {
  const shown =
    outcome.text.length > MAX_DIFF_MARKDOWN
      ? `${outcome.text.slice(0, MAX_DIFF_MARKDOWN)}\n… (truncated; the full diff is in the log)`
      : outcome.text;
  const intro = outcome.changed
    ? `Changes to ${outcome.stacks.map((stack) => report.code(stack)).join(', ')}:`
    : 'No infrastructure changes.';
  return report
    .heading(`${report.code('cdk diff')} ${environment}`, 3)
    .paragraph(intro)
    .details('cdk diff output', report.fork().codeBlock(shown, 'diff'), { open: outcome.changed });
}

function deployedReport(environment: Environment, outcome: Deployed, report: Report): Report {
  report.heading(`Infrastructure of ${report.code(environment.name)}: ✅ deployed`).table(
    ['Stack', 'Status', 'Change'],
    outcome.changes.map((c) => [c.stack, c.status, c.change]),
  );
  const values = Object.entries(actionOutputs(environment, outcome.outputs)).filter(([, v]) => v);
  if (values.length === 0) return report;
  return report.table(
    ['Output', 'Value'],
    values.map(([k, v]) => [k, report.code(v)]),
  );
}

const BREAKER =
  'The ECS deployment circuit breaker tripped during this deploy: the proxy service was rolled out to the new task definition, its tasks failed, and ECS rolled the service back to the previous one. The stopped tasks in the ECS console say why.';

function failedReport(environment: string, mode: 'deploy' | 'diff', outcome: Failed, report: Report): Report {
  const title =
    mode === 'diff'
      ? `${report.code('cdk diff')} ${environment}`
      : `Infrastructure deploy of ${report.code(environment)}`;
  report.heading(`${title} failed`);
  if (outcome.kind !== 'cdk') report.paragraph(`${outcome.reason}.`);
  if (outcome.kind === 'cdk' && outcome.serviceRollout === 'rolled-back') report.paragraph(BREAKER);
  const c = outcome.cancellation;
  if (c) {
    report.table(
      ['Stack', 'Update cancelled', 'Status after the wait'],
      [[c.stack, c.cancelled ? 'yes' : 'no', c.status]],
    );
  }
  if (outcome.failures.length > 0) {
    const rows = outcome.failures.map(({ stack, event }) => [
      stack,
      event.LogicalResourceId ?? '',
      event.ResourceStatus ?? '',
      event.ResourceStatusReason ?? '',
    ]);
    report.table(['Stack', 'Resource', 'Status', 'Reason'], rows);
  }
  return outcome.tail ? report.codeBlock(outcome.tail) : report;
}
