// The bundled tested-tree action, run as the runner runs it, against a loopback stand-in for the GitHub REST calls
// it makes: the merged commit's tree, its pull request, that pull request's head tree and gate check.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { GATE_CHECK } from '../../src/github/tested-tree.ts';
import { RUNNER_DEFAULTS, runAction } from '../support/run-action.ts';

const merge = RUNNER_DEFAULTS.GITHUB_SHA;
const head = 'e'.repeat(40);
const tree = 'f'.repeat(40);
const repo = `/repos/${RUNNER_DEFAULTS.GITHUB_REPOSITORY}`;

let server: Server | undefined;
afterEach(() => new Promise<void>((done) => (server ? server.close(() => done()) : done())));

/** Answers the action's GETs for a pull request #7 whose head has `headTree`; records the authorization. */
async function gitHub(headTree: string, seen: string[]): Promise<string> {
  const answers: Record<string, unknown> = {
    [`${repo}/git/commits/${merge}`]: { tree: { sha: tree } },
    [`${repo}/git/commits/${head}`]: { tree: { sha: headTree } },
    [`${repo}/commits/${merge}/pulls`]: [{ number: 7, head: { sha: head } }],
    [`${repo}/commits/${head}/check-runs?check_name=${encodeURIComponent(GATE_CHECK)}&filter=latest`]: {
      check_runs: [{ conclusion: 'success', app: { slug: 'github-actions' } }],
    },
  };
  const stub = createServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    const answer = answers[req.url ?? ''];
    res.writeHead(answer === undefined ? 404 : 200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer ?? { message: 'Not Found' }));
  });
  server = stub;
  await new Promise<void>((listening) => stub.listen(0, '127.0.0.1', listening));
  return `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
}

describe('tested-tree action (bundled)', () => {
  it('says tested when the gate passed on a pull request head with the merged tree', async () => {
    const seen: string[] = [];
    const run = await runAction('tested-tree', { githubApiUrl: await gitHub(tree, seen) });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toEqual({ tested: 'true' });
    expect(run.stdout).toContain('Not testing again: tree ffffffffffff passed "Pull request gate" on #7');
    expect(new Set(seen)).toEqual(new Set(['Bearer ghs_exampletoken']));
  });

  it('says not tested when the merged tree differs from the head the gate passed on', async () => {
    const run = await runAction('tested-tree', { githubApiUrl: await gitHub('c'.repeat(40), []) });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toEqual({ tested: 'false' });
    expect(run.stdout).toContain('Testing:');
  });

  it('says not tested, and does not fail, when GitHub cannot be asked', async () => {
    const run = await runAction('tested-tree', {
      githubApiUrl: await gitHub(tree, []),
      env: { GITHUB_SHA: head },
    });
    expect(run.exitCode, run.stdout + run.stderr).toBe(0);
    expect(run.outputs).toEqual({ tested: 'false' });
    expect(run.stdout).toContain('Testing: could not ask GitHub (GET /commits/');
  });
});
