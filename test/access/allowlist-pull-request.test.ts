// The pull request that carries an allowlist change, against a loopback stand-in for the GitHub REST API.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getOctokit } from '@actions/github';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAllowlistPullRequest } from '../../src/github/allowlist-pull-request.ts';

interface Recorded {
  method: string;
  path: string;
  body: Record<string, unknown>;
}

let url: string;
const requests: Recorded[] = [];
const state = { branchExists: false, openPulls: [] as { number: number; html_url: string }[] };
const server = createServer(async (req, res) => {
  let text = '';
  for await (const chunk of req) text += chunk;
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://stub').pathname);
  requests.push({ method: req.method ?? '', path, body: text ? JSON.parse(text) : {} });
  const reply = (status: number, data: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(data));
  };
  if (req.method === 'PATCH' && path.endsWith('/git/refs/heads/allowlist/remove')) {
    return state.branchExists ? reply(200, {}) : reply(422, { message: 'Reference does not exist' });
  }
  if (req.method === 'POST' && path.endsWith('/git/refs')) return reply(201, {});
  if (req.method === 'GET' && path.endsWith('/contents/config/allowlist.yaml'))
    return reply(200, { sha: 'blob-1' });
  if (req.method === 'PUT' && path.endsWith('/contents/config/allowlist.yaml')) return reply(200, {});
  if (req.method === 'GET' && path.endsWith('/pulls')) return reply(200, state.openPulls);
  if (req.method === 'POST' && path.endsWith('/pulls'))
    return reply(201, { number: 7, html_url: 'https://pr/7' });
  if (req.method === 'PATCH' && /\/pulls\/\d+$/.test(path)) return reply(200, {});
  reply(404, { message: `no route ${req.method} ${path}` });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const input = {
  owner: 'example-org',
  repo: 'lattice-ingress',
  baseSha: 'a'.repeat(40),
  baseBranch: 'main',
  branch: 'allowlist/remove',
  title: 'Allowlist: remove expired entries',
  body: 'why',
  allowlist: 'entries: []\n',
};

describe('openAllowlistPullRequest', () => {
  it('creates the branch at the run’s commit, commits the file through the API and opens the pull request', async () => {
    requests.length = 0;
    const link = await openAllowlistPullRequest(getOctokit('token', { baseUrl: url }), input);
    expect(link).toBe('https://pr/7');
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.body).toMatchObject({ branch: 'allowlist/remove', sha: 'blob-1' });
    expect(Buffer.from(String(put?.body.content), 'base64').toString()).toBe('entries: []\n');
    expect(requests.find((r) => r.method === 'POST' && r.path.endsWith('/git/refs'))?.body).toEqual({
      ref: 'refs/heads/allowlist/remove',
      sha: input.baseSha,
    });
    expect(requests.find((r) => r.method === 'POST' && r.path.endsWith('/pulls'))?.body).toMatchObject({
      head: 'allowlist/remove',
      base: 'main',
    });
  });

  it('resets an existing branch and refreshes the open pull request instead of opening another', async () => {
    requests.length = 0;
    state.branchExists = true;
    state.openPulls = [{ number: 3, html_url: 'https://pr/3' }];
    expect(await openAllowlistPullRequest(getOctokit('token', { baseUrl: url }), input)).toBe('https://pr/3');
    expect(
      requests.find((r) => r.method === 'PATCH' && r.path.endsWith('/git/refs/heads/allowlist/remove'))?.body,
    ).toEqual({
      sha: input.baseSha,
      force: true,
    });
    expect(requests.some((r) => r.method === 'POST' && r.path.endsWith('/pulls'))).toBe(false);
  });
});
