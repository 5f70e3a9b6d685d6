import { describe, expect, it } from 'vitest';
import {
  configTag,
  gitTag,
  IMAGE_LABELS,
  IMAGE_TAG,
  imageContent,
  pinnedImageUri,
  REGISTRY_TAG,
  renderTag,
  tagOfImage,
} from './image-tags.ts';

const SHA = '0123456789abcdef0123456789abcdef01234567';

describe('image tags', () => {
  it('makes git-<sha> and cfg-<hash> tags and refuses anything that is not a full sha or digest', () => {
    expect(gitTag(SHA)).toBe(`git-${SHA}`);
    expect(() => gitTag(SHA.slice(0, 7))).toThrow(/40-character/);
    expect(() => gitTag(SHA.toUpperCase())).toThrow();
    expect(configTag('a'.repeat(64))).toBe(`cfg-${'a'.repeat(64)}`);
    expect(() => configTag('a'.repeat(63))).toThrow();
    expect(IMAGE_TAG.test(`cfg-${'a'.repeat(64)}`)).toBe(true);
  });

  it('accepts as deployable exactly the tags gitTag and configTag make', () => {
    expect(IMAGE_TAG.test(gitTag(SHA))).toBe(true);
    expect(IMAGE_TAG.test(configTag('ab'.repeat(32)))).toBe(true);
    for (const tag of [
      'latest',
      'git-0123abc',
      `git-${SHA.toUpperCase()}`,
      `cfg-${'ab'.repeat(16)}`,
      `x${gitTag(SHA)}`,
    ])
      expect(IMAGE_TAG.test(tag), tag).toBe(false);
    // A registry may hold other tags (a rollback can name one), but the stack would refuse to deploy them.
    expect(REGISTRY_TAG.test('hotfix-1')).toBe(true);
  });

  it('finds the tag of an image reference, ignoring registry ports and digests', () => {
    const repo = '111122223333.dkr.ecr.eu-west-1.amazonaws.com/lattice-ingress-staging';
    expect(tagOfImage(`${repo}:git-${SHA}`)).toBe(`git-${SHA}`);
    expect(tagOfImage(`${repo}:v1@sha256:${'1'.repeat(64)}`)).toBe('v1');
    expect(tagOfImage(`${repo}@sha256:${'1'.repeat(64)}`)).toBeUndefined();
    expect(tagOfImage('localhost:5000/proxy:dev')).toBe('dev');
    expect(tagOfImage('localhost:5000/proxy')).toBeUndefined();
    expect(pinnedImageUri(repo, 't', 'sha256:x')).toBe(`${repo}:t@sha256:x`);
  });

  it('names a render by commit and UTC day, as a registry tag the stack never deploys', () => {
    const tag = renderTag(SHA, '2026-12-07');
    expect(tag).toBe(`git-rendered-2026-12-07-${SHA}`);
    expect(REGISTRY_TAG.test(tag)).toBe(true);
    expect(IMAGE_TAG.test(tag)).toBe(false);
    // A commit prefix as people type it never selects a render tag.
    expect(tag.startsWith(`git-${SHA.slice(0, 7)}`)).toBe(false);
    expect(() => renderTag(SHA, '7 December')).toThrow(/YYYY-MM-DD/);
  });
});

describe('what an image contains, from its registry record or its labels', () => {
  const HASH = 'ab'.repeat(32);
  const OTHER = 'fedcba9876543210fedcba9876543210fedcba98';

  it('reads the content hash and every render from the tags, newest day first', () => {
    expect(
      imageContent({
        tags: [
          gitTag(SHA),
          renderTag(SHA, '2026-12-01'),
          configTag(HASH),
          renderTag(OTHER, '2026-12-07'),
          'hotfix-1',
        ],
      }),
    ).toEqual({
      contentHash: HASH,
      renders: [
        { commit: OTHER, renderedOn: '2026-12-07' },
        { commit: SHA, renderedOn: '2026-12-01' },
      ],
      commits: [SHA],
    });
  });

  it('reads the same from the labels of the image, merged with the tags', () => {
    const labels = {
      [IMAGE_LABELS.revision]: SHA,
      [IMAGE_LABELS.contentHash]: HASH,
      [IMAGE_LABELS.renderedOn]: '2026-12-01',
    };
    expect(imageContent({ labels })).toEqual({
      contentHash: HASH,
      renders: [{ commit: SHA, renderedOn: '2026-12-01' }],
      commits: [],
    });
    expect(imageContent({ labels, tags: [renderTag(SHA, '2026-12-01')] }).renders).toHaveLength(1);
  });

  it('knows nothing of an image made before renders were recorded, except its commit', () => {
    expect(imageContent({ tags: [gitTag(SHA)] })).toEqual({ renders: [], commits: [SHA] });
    expect(imageContent({ tags: ['latest'], labels: { [IMAGE_LABELS.revision]: 'nope' } })).toEqual({
      renders: [],
      commits: [],
    });
  });
});
