// The build-push action: its inputs become a request to the build-push operation, its outcome the step's outputs,
// summary and failure.
import { readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { utcDay } from '../access/expiry.ts';
import type { Environment } from '../config/model.ts';
import { pinnedImageUri } from '../contract/image-tags.ts';
import {
  type BuildPushOutcome,
  type BuildPushPorts,
  type BuildPushRequest,
  buildPush,
  DOCKERFILE,
} from '../operations/build-push.ts';
import { type RenderedFiles, writeRendered } from '../render/render.ts';
import { buildPushSummary } from './build-push-summary.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

export interface BuildPushSettings {
  configDir: string;
  environment: string;
  platform: string;
  push: boolean;
}

export function readBuildPushSettings(io: ActionIO): BuildPushSettings {
  const inputs = new InputReader(io);
  const platform = /^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/;
  const settings: BuildPushSettings = {
    configDir: inputs.optional('config-dir') ?? 'config',
    environment: inputs.required('environment'),
    platform:
      inputs.matching('platform', platform, 'an os/arch platform such as linux/arm64') ?? 'linux/arm64',
    push: inputs.boolean('push', true),
  };
  inputs.done();
  return settings;
}

/** The ports the action supplies itself: the build context is a directory of the runner's temp space. */
export type BuildPushAdapters = Pick<BuildPushPorts, 'registry' | 'builder'>;

/** Loads the environment as of now and runs the operation with docker and, when pushing, the registry. */
export async function buildPushAction(
  settings: BuildPushSettings,
  io: ActionIO,
  run: RunContext,
  createAdapters: (environment: Environment, push: boolean) => Promise<BuildPushAdapters>,
  tempDir: string,
): Promise<void> {
  // One instant decides which allowlist entries have expired and the day the render is recorded under.
  const now = new Date();
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io, now);
  const buildDir = join(tempDir, `lattice-ingress-${environment.name}-image`);
  const context = {
    writeRendered: async (rendered: RenderedFiles) => {
      await rm(buildDir, { recursive: true, force: true });
      await writeRendered(rendered, buildDir);
    },
    dockerfile: () => readFile(join(run.workspace, DOCKERFILE)),
  };
  const request: BuildPushRequest = {
    config,
    environment,
    commit: run.sha,
    renderedOn: utcDay(now),
    platform: settings.platform,
    push: settings.push,
    paths: {
      context: buildDir,
      dockerfile: resolve(run.workspace, DOCKERFILE),
      metadataFile: `${buildDir}.metadata.json`,
    },
    sourceUrl: `https://github.com/${run.owner}/${run.repo}`,
  };
  const adapters = await createAdapters(environment, settings.push);
  const outcome = await io.group(`Image for ${environment.name} (${settings.platform})`, () =>
    buildPush(request, { ...adapters, context, log: (line) => io.info(line) }),
  );
  await report(outcome, environment.name, settings.platform, io);
}

async function report(outcome: BuildPushOutcome, environment: string, platform: string, io: ActionIO) {
  const hash = outcome.state === 'failed' ? outcome.facts?.contentHash : outcome.contentHash;
  if (hash) io.setOutput('content-hash', hash);
  if (outcome.state !== 'failed') {
    io.setOutput('image-tag', outcome.imageTag);
    io.setOutput('skipped', outcome.state === 'reused');
  }
  if (outcome.state === 'pushed' || outcome.state === 'reused') {
    io.setOutput('image-uri', pinnedImageUri(outcome.repositoryUri, outcome.imageTag, outcome.digest));
    io.setOutput('image-digest', outcome.digest);
  }
  await io.appendSummary(buildPushSummary(environment, platform, outcome));
  if (outcome.state === 'failed') throw new ActionFailure(outcome.reason);
}
