// The rules proxy/Dockerfile keeps so that it builds anywhere without edits, and so that the pull request that
// moves its base keeps coming (.github/renovate.json reads the ARG line with a regex).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const dockerfile = readFileSync(new URL('../../proxy/Dockerfile', import.meta.url), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.startsWith('#'));
const renovate = JSON.parse(readFileSync(new URL('../../.github/renovate.json', import.meta.url), 'utf8'));

describe('proxy/Dockerfile', () => {
  test('names its base through ARG BASE_IMAGE, pinned by tag and digest, and builds FROM it', () => {
    expect(instructions[0]).toMatch(/^ARG BASE_IMAGE=\S+:\S+@sha256:[a-f0-9]{64}$/);
    expect(instructions.filter((line) => /^FROM /.test(line)).at(-1)).toBe(`FROM \${BASE_IMAGE}`);
  });

  test('has no syntax directive (a registry pull) and no RUN (emulation for a foreign architecture)', () => {
    expect(dockerfile).not.toMatch(/^#\s*syntax=/m);
    expect(instructions.filter((line) => /^RUN\b/.test(line))).toEqual([]);
  });

  test('gives --chmod to files only, never to a directory', () => {
    for (const line of instructions.filter((l) => l.includes('--chmod'))) {
      const sources = line
        .split(/\s+/)
        .slice(1, -1)
        .filter((word) => !word.startsWith('--'));
      expect(
        sources.every((source) => /\.[a-z]+$/.test(source) && source !== '.'),
        line,
      ).toBe(true);
    }
  });

  test('is what the Renovate rule for the base image matches', () => {
    const [manager] = renovate.customManagers;
    const pattern = new RegExp(manager.matchStrings[0] as string);
    const match = pattern.exec(dockerfile);
    expect(match?.groups).toMatchObject({
      depName: 'docker.io/nginxinc/nginx-unprivileged',
      currentDigest: expect.stringMatching(/^sha256:/),
    });
    expect(renovate.packageRules[0].matchPackageNames).toEqual([match?.groups?.depName]);
  });
});
