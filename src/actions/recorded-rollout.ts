// A rollout as the rollout and rollback actions run it: look the image up, record the attempt as a GitHub
// deployment, run the rollout use case, then report its outcome — job summary, log, the deployment's final status
// (success, failure, or error for an unexpected AWS error) — and fail the step when it failed. Once a deployment is
// recorded, every way the rollout can end goes through this report, so no deployment is left in_progress.
import type { ServiceEvent } from '@aws-sdk/client-ecs';
import type { Registry, RegistryImage } from '../aws/ecr.ts';
import type { DeploymentLog, DeploymentState } from '../github/deployments.ts';
import { code, details, table } from '../render/markdown.ts';
import {
  formatDuration,
  type RolloutAdapters,
  type RolloutCompleted,
  type RolloutOutcome,
  type RolloutRequest,
  rollOut,
} from '../rollout/roll-out.ts';
import { failureLogLines, failureMarkdown } from './failure-report.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export interface RecordedRolloutAdapters extends RolloutAdapters {
  /** The registry also finds the tag's image before anything is recorded. */
  registry: Registry;
  /** Absent when no GitHub token was given: nothing is recorded. */
  deployments?: DeploymentLog;
}

export interface RecordedRolloutRequest extends Omit<RolloutRequest, 'image'> {
  /** GitHub environment the deployment is recorded under. */
  githubEnvironment: string;
  /** Commit the GitHub deployment is recorded against. */
  sha: string;
  description: string;
  /** Link to the workflow run. */
  logUrl: string;
  /** Heading of the job summary section, e.g. "Rollout" or "Rollback". */
  title: string;
  /** Extra rows for the summary table (who, why, ...). */
  context?: [string, string][];
}

export interface RecordedRolloutResult extends RolloutCompleted {
  deploymentId?: number;
}

/** Runs the rollout and reports it; resolves only when it completed, else throws ActionFailure after reporting. */
export async function recordedRollout(
  request: RecordedRolloutRequest,
  adapters: RecordedRolloutAdapters,
  io: ActionIO,
): Promise<RecordedRolloutResult> {
  let deploymentId: number | undefined;
  let outcome: RolloutOutcome;
  try {
    const image = await adapters.registry.findImage(request.imageTag);
    // Recorded before anything can fail, so that every failed rollout is the newest deployment in the history and
    // `rollback previous` goes to what is really running.
    deploymentId = await recordDeployment(request, image, adapters.deployments, io);
    outcome = await rollOut({ ...request, image }, adapters, io);
  } catch (error) {
    // rollOut reports its own errors as outcomes; this is the image lookup failing before anything was recorded.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    outcome = {
      state: 'failed',
      kind: 'error',
      reason: `looking up the image failed: ${message}; nothing was changed`,
      unchanged: true,
      evidence: { serviceEvents: [], stoppedTasks: [], stackEvents: [] },
      error,
    };
  }
  await report(request, outcome, deploymentId, adapters.deployments, io);
  // Set on failure too: a workflow need not roll back a rollout that failed before it changed the stack.
  io.setOutput('stack-updated', outcome.state === 'completed' ? outcome.changed : !outcome.unchanged);
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
  return { ...outcome, ...(deploymentId !== undefined ? { deploymentId } : {}) };
}

async function recordDeployment(
  request: RecordedRolloutRequest,
  image: RegistryImage | undefined,
  deployments: DeploymentLog | undefined,
  io: ActionIO,
): Promise<number | undefined> {
  if (!deployments) {
    io.info('No GitHub token: the deployment is not recorded on GitHub');
    return undefined;
  }
  let id: number | undefined;
  try {
    id = await deployments.create({
      environment: request.githubEnvironment,
      sha: request.sha,
      payload: { imageTag: request.imageTag, ...(image ? { digest: image.digest } : {}) },
      description: request.description,
    });
    await deployments.setStatus(id, 'in_progress', {
      description: `rolling out ${request.imageTag}`,
      logUrl: request.logUrl,
    });
    io.info(`Recorded GitHub deployment ${id} for environment ${request.githubEnvironment}`);
  } catch (error) {
    io.warning(
      `could not record a GitHub deployment (${error instanceof Error ? error.message : String(error)}); rolling out anyway. The workflow needs permissions: deployments: write`,
    );
  }
  return id;
}

/** The deployment's final status: failure for a rollout that failed, error when an AWS call failed unexpectedly. */
export function finalState(outcome: RolloutOutcome): DeploymentState {
  if (outcome.state === 'completed') return 'success';
  return outcome.kind === 'error' ? 'error' : 'failure';
}

async function report(
  request: RecordedRolloutRequest,
  outcome: RolloutOutcome,
  deploymentId: number | undefined,
  deployments: DeploymentLog | undefined,
  io: ActionIO,
): Promise<void> {
  const rows: [string, string][] = [
    ['Environment', code(request.environment.name)],
    ...(request.context ?? []),
  ];
  if (outcome.imageDigest) rows.push(['Image digest', code(outcome.imageDigest)]);
  if (outcome.previousImageTag !== undefined) {
    rows.push(['Image tag', `${code(outcome.previousImageTag || 'none')} → ${code(request.imageTag)}`]);
  }
  if (outcome.service) rows.push(['Service', code(outcome.service)]);

  let description: string;
  if (outcome.state === 'failed') {
    const evidence = { reason: outcome.reason, ...outcome.evidence };
    for (const line of failureLogLines(evidence)) io.info(line);
    await io.appendSummary(
      `## ${request.title} of ${code(request.imageTag)} failed\n\n${table(['', ''], rows)}\n\n${failureMarkdown(evidence)}\n`,
    );
    description = outcome.reason;
  } else {
    const taskDefinition = outcome.taskDefinitionArn;
    rows.push(
      ['Task definition', code(taskDefinition.split('/').pop() ?? taskDefinition)],
      ['Tasks verified', `${outcome.verifiedTasks} running, all on the digest above`],
      ['Duration', formatDuration(outcome.durationMs)],
      ...(deploymentId !== undefined
        ? ([['GitHub deployment', String(deploymentId)]] as [string, string][])
        : []),
    );
    const headline = outcome.changed
      ? `✅ ${code(request.imageTag)} is running`
      : `✅ already on ${code(request.imageTag)}; service verified`;
    await io.appendSummary(
      `## ${request.title}: ${headline}\n\n${table(['', ''], rows)}\n\n${timelineDetails(outcome.timeline)}`,
    );
    description = `${request.imageTag} is running`;
  }

  if (deploymentId !== undefined && deployments) {
    const state = finalState(outcome);
    await deployments
      .setStatus(deploymentId, state, { description, logUrl: request.logUrl })
      .catch((error: unknown) =>
        io.warning(`could not record ${state} on GitHub deployment ${deploymentId}: ${String(error)}`),
      );
  }
}

function timelineDetails(timeline: readonly ServiceEvent[]): string {
  if (timeline.length === 0) return '';
  const rows = timeline.map((event) => [event.createdAt?.toISOString() ?? '', event.message ?? '']);
  return details(`Service events (${timeline.length})`, table(['Time', 'Event'], rows));
}
