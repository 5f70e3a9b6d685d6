// GitHub deployments for an environment: the record of what was rolled out where, and the history rollback reads.
import type { GitHubClient } from '../aws/clients.ts';
import type {
  DeploymentLog,
  DeploymentPayload,
  DeploymentState,
  StatusDetails,
} from '../operations/ports.ts';
import type { DeploymentRecord } from '../rollout/rollback-target.ts';

export type Octokit = GitHubClient;
export class GitHubDeployments implements DeploymentLog {
  constructor(
    private readonly octokit: Octokit,
    private readonly owner: string,
    private readonly repo: string,
  ) {}

  async create(input: { environment: string; sha: string; payload: DeploymentPayload; description: string }) {
    const response = await this.octokit.rest.repos.createDeployment({
      owner: this.owner,
      repo: this.repo,
      ref: input.sha,
      environment: input.environment,
      payload: { ...input.payload },
      description: input.description.slice(0, 140),
      auto_merge: false,
      // The workflow already ran the checks it needs; commit statuses are not a gate here.
      required_contexts: [],
      production_environment: /prod/.test(input.environment),
    });
    if (response.status !== 201 || !('id' in response.data)) {
      throw new Error(`GitHub did not create the deployment (HTTP ${response.status})`);
    }
    return response.data.id;
  }

  async setStatus(id: number, state: DeploymentState, details: StatusDetails): Promise<void> {
    await this.octokit.rest.repos.createDeploymentStatus({
      owner: this.owner,
      repo: this.repo,
      deployment_id: id,
      state,
      ...(details.description ? { description: details.description.slice(0, 140) } : {}),
      ...(details.logUrl ? { log_url: details.logUrl } : {}),
      ...(details.environmentUrl ? { environment_url: details.environmentUrl } : {}),
    });
  }

  async history(environment: string, limit = 30): Promise<DeploymentRecord[]> {
    // A job with `environment:` also gets a deployment from GitHub itself (no imageTag payload); read a full page
    // so those do not crowd out the rollouts.
    const { data: deployments } = await this.octokit.rest.repos.listDeployments({
      owner: this.owner,
      repo: this.repo,
      environment,
      per_page: 100,
    });
    const records: DeploymentRecord[] = [];
    for (const deployment of deployments) {
      if (records.length >= limit) break;
      const payload = (
        typeof deployment.payload === 'string' ? safeJson(deployment.payload) : deployment.payload
      ) as Partial<DeploymentPayload> | undefined;
      if (typeof payload?.imageTag !== 'string') continue;
      const { data: statuses } = await this.octokit.rest.repos.listDeploymentStatuses({
        owner: this.owner,
        repo: this.repo,
        deployment_id: deployment.id,
        per_page: 10,
      });
      // Newest first; GitHub marks superseded deployments inactive, which says nothing about how they went.
      const state = statuses.find((s) => s.state !== 'inactive')?.state ?? 'unknown';
      records.push({
        id: deployment.id,
        sha: deployment.sha,
        imageTag: payload.imageTag,
        createdAt: deployment.created_at,
        state,
        ...(typeof payload.renderedFrom === 'string' && typeof payload.renderedOn === 'string'
          ? { renderedFrom: payload.renderedFrom, renderedOn: payload.renderedOn }
          : {}),
        ...(deployment.creator?.login ? { creator: deployment.creator.login } : {}),
      });
    }
    return records.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
