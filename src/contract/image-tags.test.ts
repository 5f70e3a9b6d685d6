import { describe, expect, it } from 'vitest';
import { configTag, gitTag, IMAGE_TAG, pinnedImageUri, REGISTRY_TAG, tagOfImage } from './image-tags.ts';

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
});
