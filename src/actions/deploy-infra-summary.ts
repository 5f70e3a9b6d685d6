// The job summary of deploy-infra: what each stack did, the outputs, the diff, or why it failed (the failed resources,
// the cancelled update and where its rollback got, the last lines cdk printed).
import type { Environment } from '../config/model.ts';
import { actionOutputs, type DeployInfraOutcome } from '../operations/deploy-infra.ts';
import { code, fenced, table } from '../render/markdown.ts';

const MAX_DIFF_MARKDOWN = 60_000;

type Diffed = Extract<DeployInfraOutcome, { state: 'diffed' }>;
type Deployed = Extract<DeployInfraOutcome, { state: 'deployed' }>;
type Failed = Extract<DeployInfraOutcome, { state: 'failed' }>;

export function deployInfraSummary(
  environment: Environment,
  mode: 'deploy' | 'diff',
  outcome: DeployInfraOutcome,
): string {
  switch (outcome.state) {
    case 'refused':
      return '';
    case 'diffed':
      return diffMarkdown(environment.name, outcome);
    case 'deployed':
      return deployedMarkdown(environment, outcome);
    case 'failed':
      return failedMarkdown(environment.name, mode, outcome);
  }
}

/** The `cdk diff` section, also written to the diff file for the pull request comment. */
export function diffMarkdown(environment: string, outcome: Diffed): string {
  const shown =
    outcome.text.length > MAX_DIFF_MARKDOWN
      ? `${outcome.text.slice(0, MAX_DIFF_MARKDOWN)}\n… (truncated; the full diff is in the log)`
      : outcome.text;
  const intro = outcome.changed
    ? `Changes to ${outcome.stacks.map(code).join(', ')}:`
    : 'No infrastructure changes.';
  return `### \`cdk diff\` ${environment}\n\n${intro}\n\n<details${outcome.changed ? ' open' : ''}><summary>cdk diff output</summary>\n\n${fenced(shown, 'diff')}\n\n</details>\n`;
}

function deployedMarkdown(environment: Environment, outcome: Deployed): string {
  const rows = outcome.changes.map((c) => [c.stack, c.status, c.change]);
  const values = Object.entries(actionOutputs(environment, outcome.outputs)).filter(([, v]) => v);
  const outputs =
    values.length > 0
      ? `${table(
          ['Output', 'Value'],
          values.map(([k, v]) => [k, code(v)]),
        )}\n`
      : '';
  return `## Infrastructure of ${code(environment.name)}: ✅ deployed\n\n${table(['Stack', 'Status', 'Change'], rows)}\n\n${outputs}`;
}

const BREAKER =
  'The ECS deployment circuit breaker tripped during this deploy: the proxy service was rolled out to the new task definition, its tasks failed, and ECS rolled the service back to the previous one. The stopped tasks in the ECS console say why.\n';

function failedMarkdown(environment: string, mode: 'deploy' | 'diff', outcome: Failed): string {
  const title =
    mode === 'diff' ? `\`cdk diff\` ${environment}` : `Infrastructure deploy of ${code(environment)}`;
  const parts = [`## ${title} failed\n`];
  if (outcome.kind !== 'cdk') parts.push(`${outcome.reason}.\n`);
  if (outcome.kind === 'cdk' && outcome.serviceRollout === 'rolled-back') parts.push(BREAKER);
  const c = outcome.cancellation;
  if (c) {
    const rows = [[c.stack, c.cancelled ? 'yes' : 'no', c.status]];
    parts.push(`${table(['Stack', 'Update cancelled', 'Status after the wait'], rows)}\n`);
  }
  if (outcome.failures.length > 0) {
    const rows = outcome.failures.map(({ stack, event }) => [
      stack,
      event.LogicalResourceId ?? '',
      event.ResourceStatus ?? '',
      event.ResourceStatusReason ?? '',
    ]);
    parts.push(`${table(['Stack', 'Resource', 'Status', 'Reason'], rows)}\n`);
  }
  if (outcome.tail) parts.push(`${fenced(outcome.tail)}\n`);
  return parts.join('\n');
}
