import { describe, expect, it } from 'vitest';
import { type DeploymentRecord, parseRollbackTarget, resolveRollbackTarget } from './rollback-target.ts';

const sha = (c: string) => c.repeat(40);
const record = (id: number, c: string, state: string, day: number): DeploymentRecord => ({
  id,
  sha: sha(c),
  imageTag: `git-${sha(c)}`,
  createdAt: `2026-11-${String(day).padStart(2, '0')}T10:00:00Z`,
  state,
});

describe('parseRollbackTarget', () => {
  it('reads previous, shas (case-insensitive) and tags, and refuses the rest', () => {
    expect(parseRollbackTarget('')).toEqual({ kind: 'previous' });
    expect(parseRollbackTarget('previous')).toEqual({ kind: 'previous' });
    expect(parseRollbackTarget('ABCDEF1')).toEqual({ kind: 'sha', prefix: 'abcdef1' });
    expect(parseRollbackTarget('abc')).toEqual({ kind: 'tag', tag: 'abc' });
    expect(parseRollbackTarget(`git-${sha('a')}`)).toEqual({ kind: 'tag', tag: `git-${sha('a')}` });
    expect(parseRollbackTarget('v1; rm -rf /')).toHaveProperty('error');
  });
});

describe('resolveRollbackTarget', () => {
  // Newest first: c is current and succeeded; b succeeded before it; a before that.
  const history = [record(3, 'c', 'success', 3), record(2, 'b', 'success', 2), record(1, 'a', 'success', 1)];
  const registryTags = [
    `git-${sha('c')}`,
    `git-${sha('b')}`,
    `git-${sha('a')}`,
    `git-${'d'.repeat(7)}${'0'.repeat(33)}`,
  ];

  it('previous: the successful deployment before the current one', () => {
    expect(resolveRollbackTarget({ kind: 'previous' }, { history, registryTags })).toMatchObject({
      ok: true,
      resolution: { imageTag: `git-${sha('b')}`, sha: sha('b'), via: 'history' },
    });
  });

  it('previous after a failed rollout: the newest success, which is what should be running', () => {
    const failed = [record(4, 'e', 'failure', 4), ...history];
    expect(resolveRollbackTarget({ kind: 'previous' }, { history: failed, registryTags })).toMatchObject({
      ok: true,
      resolution: { imageTag: `git-${sha('c')}` },
    });
  });

  it('previous skips rolled-back deployments and redeploys of the current image', () => {
    // c was rolled back to b (b redeployed as 5, c marked failure); previous now goes past b to a.
    const after = [
      record(5, 'b', 'success', 5),
      record(3, 'c', 'failure', 3),
      record(2, 'b', 'success', 2),
      record(1, 'a', 'success', 1),
    ];
    expect(resolveRollbackTarget({ kind: 'previous' }, { history: after, registryTags })).toMatchObject({
      ok: true,
      resolution: { imageTag: `git-${sha('a')}` },
    });
  });

  it('previous with no earlier success explains what it found', () => {
    const result = resolveRollbackTarget(
      { kind: 'previous' },
      { history: [record(1, 'a', 'success', 1)], registryTags },
    );
    expect(result).toEqual({
      ok: false,
      message: `no successful deployment before the current one (git-${sha('a')}, success) has a different image; successful deployments: git-${sha('a')}`,
    });
    expect(resolveRollbackTarget({ kind: 'previous' }, { history: [], registryTags })).toMatchObject({
      ok: false,
    });
  });

  it('an abbreviated sha from the history; from the registry when never deployed; ambiguity refused', () => {
    expect(
      resolveRollbackTarget({ kind: 'sha', prefix: 'bbbbbbb' }, { history, registryTags }),
    ).toMatchObject({
      ok: true,
      resolution: { imageTag: `git-${sha('b')}`, via: 'history' },
    });
    expect(
      resolveRollbackTarget({ kind: 'sha', prefix: 'ddddddd' }, { history, registryTags }),
    ).toMatchObject({
      ok: true,
      resolution: { imageTag: registryTags[3], via: 'registry' },
    });
    const twins = [`git-abcdef1${'0'.repeat(33)}`, `git-abcdef1${'1'.repeat(33)}`];
    const ambiguous = resolveRollbackTarget(
      { kind: 'sha', prefix: 'abcdef1' },
      { history: [], registryTags: twins },
    );
    expect(ambiguous).toMatchObject({
      ok: false,
      message: expect.stringContaining('is ambiguous in the registry'),
    });
  });

  it('a failed deployment is not a rollback target', () => {
    const result = resolveRollbackTarget(
      { kind: 'sha', prefix: 'eeeeeee' },
      { history: [record(4, 'e', 'failure', 4)], registryTags: [] },
    );
    expect(result).toMatchObject({
      ok: false,
      message: expect.stringContaining('no successful deployment and no image tagged git-eeeeeee*'),
    });
  });

  it('a commit found in the registry goes to its newest render, not its first image (git-<sha>)', () => {
    // The first image of commit f still admits an entry that expired on 2026-11-04; the re-render leaves it out.
    const tags = [
      `cfg-${'2'.repeat(64)}`,
      `git-rendered-2026-11-05-${sha('f')}`,
      `cfg-${'1'.repeat(64)}`,
      `git-rendered-2026-11-01-${sha('f')}`,
      `git-${sha('f')}`,
    ];
    expect(
      resolveRollbackTarget({ kind: 'sha', prefix: 'fffffff' }, { history: [], registryTags: tags }),
    ).toMatchObject({
      ok: true,
      resolution: { imageTag: `git-rendered-2026-11-05-${sha('f')}`, sha: sha('f'), via: 'registry' },
    });
  });

  it('an explicit tag must be in the history or the registry', () => {
    expect(
      resolveRollbackTarget({ kind: 'tag', tag: 'hotfix-1' }, { history, registryTags: ['hotfix-1'] }),
    ).toMatchObject({
      ok: true,
      resolution: { imageTag: 'hotfix-1', via: 'registry' },
    });
    const missing = resolveRollbackTarget({ kind: 'tag', tag: 'nope' }, { history, registryTags });
    expect(missing).toMatchObject({
      ok: false,
      message: expect.stringMatching(
        /^image tag "nope" is neither in the deployment history nor in the registry\. Successful deployments: git-c+ \(2026-11-03\)/,
      ),
    });
  });
});
