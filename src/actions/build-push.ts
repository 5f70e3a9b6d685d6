// The build-push action: its inputs become a request to the build-push operation, its outcome the step's report
// (build-push-report.ts).
import { join, resolve } from 'node:path';
import { utcDay } from '../access/expiry.ts';
import type { Environment } from '../config/model.ts';
import {
  type BuildPushPorts,
  type BuildPushRequest,
  buildPush,
  DOCKERFILE,
} from '../operations/build-push.ts';
import { reportBuildPush } from './build-push-report.ts';
import type { RunContext } from './context.ts';
import { loadEnvironment } from './environment.ts';
import { InputReader } from './inputs.ts';
import type { ActionIO } from './io.ts';

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

/** Builds docker, the build context in `buildDir` and, when pushing, the registry (build-push-adapters.ts). */
export type BuildPushPortsFactory = (
  environment: Environment,
  buildDir: string,
  push: boolean,
) => Promise<BuildPushPorts>;

export async function buildPushAction(
  settings: BuildPushSettings,
  io: ActionIO,
  run: RunContext,
  createPorts: BuildPushPortsFactory,
  tempDir: string,
): Promise<void> {
  // One instant decides which allowlist entries have expired and the day the render is recorded under.
  const now = new Date();
  const { config, environment } = await loadEnvironment(settings.configDir, settings.environment, io, now);
  const buildDir = join(tempDir, `lattice-ingress-${environment.name}-image`);
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
  const ports = await createPorts(environment, buildDir, settings.push);
  const outcome = await io.group(`Image for ${environment.name} (${settings.platform})`, () =>
    buildPush(request, ports),
  );
  await reportBuildPush(environment.name, settings.platform, outcome, io);
}
