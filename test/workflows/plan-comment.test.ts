// The plan comment step of pr.yml (actions/github-script), run with the script text from the workflow itself and
// a recording stand-in for the GitHub client: one comment, found by its marker and updated, never duplicated.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Workflow } from './rules.ts';

const root = resolve(import.meta.dirname, '../..');
const workflow = parse(readFileSync(join(root, '.github/workflows/pr.yml'), 'utf8')) as Workflow;
const step = workflow.jobs.comment?.steps?.find((s) => s.uses?.startsWith('actions/github-script@'));
const script = String(step?.with?.script ?? '');
const MARKER = '<!-- lattice-ingress-plan -->';

interface Comment {
  id: number;
  body: string;
  user: { type: string };
  html_url: string;
}

function runScript(options: { comments: Comment[]; fork?: boolean; sections?: Record<string, string> }) {
  const dir = mkdtempSync(join(tmpdir(), 'plan-comment-'));
  mkdirSync(join(dir, 'plan'));
  for (const [name, text] of Object.entries(options.sections ?? {}))
    writeFileSync(join(dir, 'plan', name), text);
  const calls: {
    created: string[];
    updated: { id: number; body: string }[];
    summary: string[];
    notices: string[];
  } = {
    created: [],
    updated: [],
    summary: [],
    notices: [],
  };
  const listComments = async () => ({ data: options.comments });
  const github = {
    paginate: async (fn: typeof listComments) => (await fn()).data,
    rest: {
      issues: {
        listComments,
        createComment: async ({ body }: { body: string }) => {
          calls.created.push(body);
          return { data: { html_url: 'new' } };
        },
        updateComment: async ({ comment_id, body }: { comment_id: number; body: string }) => {
          calls.updated.push({ id: comment_id, body });
        },
      },
    },
  };
  const core = {
    summary: { addRaw: (text: string) => ({ write: async () => calls.summary.push(text) }) },
    notice: (text: string) => calls.notices.push(text),
    info: () => {},
  };
  const context = {
    serverUrl: 'https://github.com',
    runId: 42,
    repo: { owner: 'o', repo: 'r' },
    payload: { pull_request: { number: 7, head: { sha: 'abcdef1234567890' } } },
  };
  const env = {
    PLAN_DIR: join(dir, 'plan'),
    FORK: options.fork ? 'true' : 'false',
    PREVIEW_RESULT: 'success',
  };
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const body = new Function(
    'require',
    'github',
    'context',
    'core',
    `return (async () => {\n${script}\n})();`,
  );
  return (body(createRequire(import.meta.url), github, context, core) as Promise<void>)
    .finally(() => {
      process.env = saved;
    })
    .then(() => calls);
}

describe('plan comment', () => {
  it('is found in pr.yml', () => {
    expect(script).toContain(MARKER);
  });

  it('creates the comment once, with the sections in order', async () => {
    const calls = await runScript({
      comments: [{ id: 1, body: 'looks good', user: { type: 'User' }, html_url: '' }],
      sections: {
        '10-validate.md': '### Allowlist\n+ 203.0.113.0/24',
        '00-status.md': '**Validation passed**.',
      },
    });
    expect(calls.updated).toEqual([]);
    expect(calls.created).toHaveLength(1);
    const body = calls.created[0] ?? '';
    expect(body.startsWith(MARKER)).toBe(true);
    expect(body.indexOf('Validation passed')).toBeLessThan(body.indexOf('203.0.113.0/24'));
    expect(body).toContain('Updated for abcdef1');
    expect(calls.summary).toEqual([body]);
  });

  it('updates the previous plan comment instead of adding one', async () => {
    const calls = await runScript({
      comments: [
        { id: 1, body: `${MARKER}\nold plan`, user: { type: 'Bot' }, html_url: '' },
        { id: 2, body: `${MARKER}\nquoted by a person`, user: { type: 'User' }, html_url: '' },
      ],
      sections: { '10-validate.md': 'new plan' },
    });
    expect(calls.created).toEqual([]);
    expect(calls.updated.map((u) => u.id)).toEqual([1]);
    expect(calls.updated[0]?.body).toContain('new plan');
  });

  it('keeps a long plan under the comment size limit and points at the summary', async () => {
    const calls = await runScript({ comments: [], sections: { '10-validate.md': 'x'.repeat(100_000) } });
    const body = calls.created[0] ?? '';
    expect(body.length).toBeLessThanOrEqual(65_536);
    expect(body).toContain('truncated');
  });

  it('writes only the summary for a fork, and says why there is no cdk diff', async () => {
    const calls = await runScript({ comments: [], fork: true, sections: { '10-validate.md': 'plan' } });
    expect(calls.created).toEqual([]);
    expect(calls.updated).toEqual([]);
    expect(calls.summary[0]).toContain('forks get no AWS access');
    expect(calls.notices[0]).toContain('Fork pull request');
  });
});
