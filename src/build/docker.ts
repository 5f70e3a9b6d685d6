// Building and pushing the proxy image with docker buildx, behind an interface so the build-push logic is tested
// without a Docker engine.
import { readFile } from 'node:fs/promises';
import type { BuildRequest, ImageBuilder, RegistryLogin } from '../operations/build-push.ts';
import type { CommandRunner } from '../process/command.ts';

/** The buildx command line; pure so the flags are unit-tested. */
export function buildxArguments(request: BuildRequest): string[] {
  const args = ['buildx', 'build', '--platform', request.platform, '--file', request.dockerfile];
  for (const [key, value] of Object.entries(request.buildArgs)) args.push('--build-arg', `${key}=${value}`);
  for (const [key, value] of Object.entries(request.labels)) args.push('--label', `${key}=${value}`);
  for (const tag of request.tags) args.push('--tag', tag);
  // One plain image manifest: no attestation index, so the digest ECS reports is the one pushed and re-tagging
  // with PutImage copies exactly that manifest.
  args.push('--provenance=false', '--sbom=false', '--metadata-file', request.metadataFile);
  args.push(request.push ? '--push' : '--output=type=cacheonly');
  args.push(request.context);
  return args;
}

export class DockerBuildx implements ImageBuilder {
  constructor(
    private readonly run: CommandRunner,
    private readonly log: (line: string) => void,
  ) {}

  async login(login: RegistryLogin): Promise<void> {
    const result = await this.run(
      'docker',
      ['login', '--username', login.username, '--password-stdin', login.server],
      {
        input: login.password,
        onLine: this.log,
      },
    );
    if (result.exitCode !== 0)
      throw new Error(`docker login ${login.server} failed: ${result.stderr.trim()}`);
  }

  async build(request: BuildRequest): Promise<{ digest?: string }> {
    const result = await this.run('docker', buildxArguments(request), { onLine: this.log });
    if (result.exitCode !== 0) {
      const tail = result.stderr.trim().split('\n').slice(-15).join('\n');
      throw new Error(`docker buildx build failed (exit ${result.exitCode}):\n${tail}`);
    }
    if (!request.push) return {};
    const metadata = JSON.parse(await readFile(request.metadataFile, 'utf8')) as Record<string, unknown>;
    const digest = metadata['containerimage.digest'];
    return typeof digest === 'string' ? { digest } : {};
  }
}
