import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../process/command.ts';
import { buildxArguments, DockerBuildx } from './docker.ts';

const request = {
  context: '/tmp/ctx',
  dockerfile: '/repo/proxy/Dockerfile',
  platform: 'linux/arm64',
  tags: ['repo:git-a', 'repo:cfg-b'],
  labels: { 'org.opencontainers.image.revision': 'a' },
  buildArgs: { GIT_SHA: 'a' },
  push: true,
  metadataFile: '/tmp/meta.json',
};

describe('docker buildx', () => {
  it('builds for the platform with labels, both tags, one plain manifest, and pushes', () => {
    expect(buildxArguments(request)).toEqual([
      'buildx',
      'build',
      '--platform',
      'linux/arm64',
      '--file',
      '/repo/proxy/Dockerfile',
      '--build-arg',
      'GIT_SHA=a',
      '--label',
      'org.opencontainers.image.revision=a',
      '--tag',
      'repo:git-a',
      '--tag',
      'repo:cfg-b',
      '--provenance=false',
      '--sbom=false',
      '--metadata-file',
      '/tmp/meta.json',
      '--push',
      '/tmp/ctx',
    ]);
    expect(buildxArguments({ ...request, push: false })).toContain('--output=type=cacheonly');
  });

  it('logs in with the password on stdin, never on the command line', async () => {
    const calls: { args: readonly string[]; input?: string }[] = [];
    const run: CommandRunner = async (_command, args, options) => {
      calls.push({ args, ...(options?.input === undefined ? {} : { input: options.input }) });
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    await new DockerBuildx(run, () => {}).login({ server: 'r.example', username: 'AWS', password: 's3cret' });
    expect(calls).toEqual([
      { args: ['login', '--username', 'AWS', '--password-stdin', 'r.example'], input: 's3cret' },
    ]);
  });

  it('fails with the end of the build output', async () => {
    const run: CommandRunner = async () => ({
      exitCode: 1,
      stdout: '',
      stderr: 'step 1\nERROR: failed to solve',
    });
    await expect(new DockerBuildx(run, () => {}).build(request)).rejects.toThrow(
      'docker buildx build failed (exit 1):\nstep 1\nERROR: failed to solve',
    );
  });
});
