// The build-push action: render the proxy for an environment, hash what the image is made of, and either re-tag
// the image that already has that content (no build) or build it for linux/arm64 and push it to ECR.
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Registry } from '../aws/ecr.ts';
import type { ImageBuilder } from '../build/docker.ts';
import type { Config, Environment } from '../config/model.ts';
import { configTag, gitTag, pinnedImageUri } from '../contract/image-tags.ts';
import { code, table } from '../render/markdown.ts';
import { renderProxy, renderTargetFor, writeRendered } from '../render/render.ts';
import { contentHash } from '../rollout/content-hash.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export const DOCKERFILE = 'proxy/Dockerfile';

export interface BuildPushSettings {
  configDir: string;
  environment: string;
  platform: string;
  push: boolean;
}

export function readBuildPushSettings(io: ActionIO): BuildPushSettings {
  const inputs = new InputReader(io);
  const settings: BuildPushSettings = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    platform:
      inputs.matching(
        'platform',
        /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/,
        'an os/arch platform such as linux/arm64',
        {
          required: false,
        },
      ) ?? 'linux/arm64',
    push: inputs.boolean('push', true),
  };
  inputs.done();
  return settings;
}

export interface BuildPushAdapters {
  /** Needed only to push; a build-only run (push: false) needs no AWS access. */
  registry?: Registry;
  builder: ImageBuilder;
}

export interface BuildPushInput {
  config: Config;
  environment: Environment;
  settings: BuildPushSettings;
  run: RunContext;
  /** Where the build context is rendered (emptied first). */
  buildDir: string;
}

/** Everything the image is made of, keyed by a stable name: the rendered files, the Dockerfile and the platform. */
export async function imageInputs(
  rendered: ReadonlyMap<string, string>,
  workspace: string,
  platform: string,
): Promise<Map<string, string | Uint8Array>> {
  const inputs = new Map<string, string | Uint8Array>();
  for (const [path, content] of rendered) inputs.set(`rendered/${path}`, content);
  inputs.set(DOCKERFILE, await readFile(join(workspace, DOCKERFILE)));
  inputs.set('build/platform', platform);
  return inputs;
}

export async function buildPush(
  input: BuildPushInput,
  adapters: BuildPushAdapters,
  io: ActionIO,
): Promise<void> {
  const { environment, settings, run } = input;
  const rendered = renderProxy(input.config, renderTargetFor(environment));
  await rm(input.buildDir, { recursive: true, force: true });
  await writeRendered(rendered, input.buildDir);
  const hash = contentHash(await imageInputs(rendered, run.workspace, settings.platform));
  const shaTag = gitTag(run.sha);
  const hashTag = configTag(hash);
  io.info(
    `Rendered ${rendered.size} file(s) for ${environment.name} into ${input.buildDir}; content hash ${hash}`,
  );
  io.setOutput('content-hash', hash);
  io.setOutput('image-tag', shaTag);

  if (!settings.push) {
    await buildImage(input, adapters, io, hash, [], false);
    io.setOutput('skipped', false);
    await io.appendSummary(
      `## Image build for ${code(environment.name)}: ✅ built (not pushed)\n\n${table(
        ['', ''],
        [
          ['Content hash', code(hash)],
          ['Platform', code(settings.platform)],
        ],
      )}\n`,
    );
    return;
  }

  const { registry } = adapters;
  if (!registry) throw new Error('pushing needs the ECR registry');
  const repositoryUri = await registry.repositoryUri();
  let digest: string;
  let skipped: boolean;
  const existingCommit = await registry.findImage(shaTag);
  const existingContent = await registry.findImage(hashTag);
  if (existingContent) {
    // Same content already built: give it this commit's tag (a no-op if the tag is already there).
    digest =
      existingCommit?.digest === existingContent.digest
        ? existingContent.digest
        : await registry.addTag(hashTag, shaTag);
    skipped = true;
    io.info(`${hashTag} already exists (${digest}); skipped the build and tagged it ${shaTag}`);
  } else if (existingCommit) {
    // This commit was pushed before (a re-run) but without the content tag: keep it, add the content tag.
    digest = await registry.addTag(shaTag, hashTag);
    skipped = true;
    io.info(`${shaTag} already exists (${digest}); skipped the build and tagged it ${hashTag}`);
  } else {
    await adapters.builder.login(await registry.login());
    const tags = [`${repositoryUri}:${shaTag}`, `${repositoryUri}:${hashTag}`];
    const built = await buildImage(input, adapters, io, hash, tags, true);
    const pushed = await registry.findImage(shaTag);
    if (!pushed)
      throw new ActionFailure(`docker reported a push but ${repositoryUri}:${shaTag} is not in ECR`);
    if (built.digest && built.digest !== pushed.digest) {
      throw new ActionFailure(`buildx pushed ${built.digest} but ECR has ${pushed.digest} for ${shaTag}`);
    }
    digest = pushed.digest;
    skipped = false;
  }

  const imageUri = pinnedImageUri(repositoryUri, shaTag, digest);
  io.setOutput('image-uri', imageUri);
  io.setOutput('image-digest', digest);
  io.setOutput('skipped', skipped);
  const outcome = skipped ? '♻️ reused the image with the same content' : '✅ built and pushed';
  await io.appendSummary(
    `## Image for ${code(environment.name)}: ${outcome}\n\n${table(
      ['', ''],
      [
        ['Image', code(imageUri)],
        ['Tags', `${code(shaTag)}, ${code(hashTag)}`],
        [
          'Content hash',
          `${code(hash)} (rendered ${[...rendered.keys()].join(', ')} + ${DOCKERFILE} + platform)`,
        ],
        ['Platform', code(settings.platform)],
        ['Build', skipped ? 'skipped: an image with this content hash was already in ECR' : 'docker buildx'],
      ],
    )}\n`,
  );
}

async function buildImage(
  input: BuildPushInput,
  adapters: BuildPushAdapters,
  io: ActionIO,
  hash: string,
  tags: string[],
  push: boolean,
): Promise<{ digest?: string }> {
  const { run, settings } = input;
  return io.group(`docker buildx build (${settings.platform})`, () =>
    adapters.builder.build({
      context: input.buildDir,
      dockerfile: resolve(run.workspace, DOCKERFILE),
      platform: settings.platform,
      tags,
      labels: {
        'org.opencontainers.image.revision': run.sha,
        'org.opencontainers.image.source': `https://github.com/${run.owner}/${run.repo}`,
        'io.github.lattice-ingress.config-hash': hash,
        'io.github.lattice-ingress.environment': input.environment.name,
      },
      buildArgs: { GIT_SHA: run.sha, CONFIG_HASH: hash },
      push,
      metadataFile: `${input.buildDir}.metadata.json`,
    }),
  );
}

/** Loads the environment and runs buildPush with docker and, when pushing, the environment's registry. */
export async function buildPushAction(
  settings: BuildPushSettings,
  io: ActionIO,
  run: RunContext,
  createAdapters: (environment: Environment, push: boolean) => Promise<BuildPushAdapters>,
  tempDir: string,
): Promise<void> {
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io);
  const adapters = await createAdapters(environment, settings.push);
  await buildPush(
    {
      config,
      environment,
      settings,
      run,
      buildDir: join(tempDir, `lattice-ingress-${environment.name}-image`),
    },
    adapters,
    io,
  );
}
