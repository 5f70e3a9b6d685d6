// A loopback stand-in for the part of the GitHub REST API the deploy actions use: deployments and their statuses.
// Point GITHUB_API_URL at `url`; state lives in memory and every request is recorded.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StubDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: Record<string, unknown>;
  description: string | null;
  created_at: string;
  creator: { login: string };
  statuses: { id: number; state: string; description?: string; log_url?: string; created_at: string }[];
}

export interface GitHubStub {
  url: string;
  deployments: StubDeployment[];
  requests: { method: string; path: string; body?: unknown }[];
  /** Adds a finished deployment (its statuses oldest first). */
  seed(deployment: {
    sha: string;
    environment: string;
    imageTag: string;
    states: string[];
    createdAt: string;
  }): number;
  close(): Promise<void>;
}

export async function startGitHubStub(): Promise<GitHubStub> {
  const deployments: StubDeployment[] = [];
  const requests: GitHubStub['requests'] = [];
  let nextId = 1000;

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    const body = req.method === 'POST' ? await readJson(req) : undefined;
    requests.push({ method: req.method ?? '', path: url.pathname, ...(body === undefined ? {} : { body }) });
    const reply = (status: number, data: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    };
    const list = /^\/repos\/[^/]+\/[^/]+\/deployments$/.exec(url.pathname);
    const statuses = /^\/repos\/[^/]+\/[^/]+\/deployments\/(\d+)\/statuses$/.exec(url.pathname);
    if (list && req.method === 'POST') {
      const input = body as {
        ref: string;
        environment: string;
        payload: Record<string, unknown>;
        description?: string;
      };
      const deployment: StubDeployment = {
        id: nextId++,
        sha: input.ref,
        ref: input.ref,
        environment: input.environment,
        payload: input.payload,
        description: input.description ?? null,
        created_at: new Date().toISOString(),
        creator: { login: 'github-actions[bot]' },
        statuses: [],
      };
      deployments.push(deployment);
      return reply(201, withoutStatuses(deployment));
    }
    if (list && req.method === 'GET') {
      const environment = url.searchParams.get('environment');
      const perPage = Number(url.searchParams.get('per_page') ?? 30);
      const found = deployments
        .filter((d) => !environment || d.environment === environment)
        .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id)
        .slice(0, perPage)
        .map(withoutStatuses);
      return reply(200, found);
    }
    if (statuses) {
      const deployment = deployments.find((d) => d.id === Number(statuses[1]));
      if (!deployment) return reply(404, { message: 'Not Found' });
      if (req.method === 'POST') {
        const input = body as { state: string; description?: string; log_url?: string };
        const status = { id: nextId++, ...input, created_at: new Date().toISOString() };
        deployment.statuses.push(status);
        return reply(201, status);
      }
      return reply(200, [...deployment.statuses].reverse());
    }
    return reply(404, { message: `github-stub: no route for ${req.method} ${url.pathname}` });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  process.once('exit', () => server.close());
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    deployments,
    requests,
    seed({ sha, environment, imageTag, states, createdAt }) {
      const id = nextId++;
      deployments.push({
        id,
        sha,
        ref: sha,
        environment,
        payload: { imageTag },
        description: null,
        created_at: createdAt,
        creator: { login: 'octocat' },
        statuses: states.map((state, i) => ({
          id: nextId++,
          state,
          created_at: createdAt.replace('Z', `.${i}Z`),
        })),
      });
      return id;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function withoutStatuses({ statuses: _statuses, ...deployment }: StubDeployment) {
  return deployment;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? JSON.parse(text) : undefined;
}
