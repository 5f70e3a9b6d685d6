// The ports of the build-push action: docker buildx on the runner, the environment's ECR repository when pushing,
// and a build context in the runner's temp space holding the rendered configuration beside the workspace's
// Dockerfile.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DockerBuildx } from '../build/docker.ts';
import type { Environment } from '../config/model.ts';
import { type BuildPushPorts, DOCKERFILE } from '../operations/build-push.ts';
import { runCommand } from '../process/command.ts';
import { type RenderedFiles, writeRendered } from '../render/render.ts';
import { environmentAdapters } from './adapters.ts';
import type { RunContext } from './context.ts';
import type { ActionIO } from './io.ts';

/** Ports for an environment whose image is built in `buildDir`; a build-only run needs no AWS access. */
export function buildPushPorts(run: RunContext, io: ActionIO) {
  return async (environment: Environment, buildDir: string, push: boolean): Promise<BuildPushPorts> => ({
    ...(push ? { registry: (await environmentAdapters(environment, run, undefined)).registry } : {}),
    builder: new DockerBuildx(runCommand, (line) => io.info(line)),
    context: {
      writeRendered: async (rendered: RenderedFiles) => {
        await rm(buildDir, { recursive: true, force: true });
        await writeRendered(rendered, buildDir);
      },
      dockerfile: () => readFile(join(run.workspace, DOCKERFILE)),
    },
    log: (line) => io.info(line),
  });
}
