// The ports of the deploy-infra action: the environment's CloudFormation stacks, and the workspace's own CDK CLI (a
// dev dependency: the workflow runs `npm ci` first) run on the configuration directory with the action's clock
// reading, each run a log group, its output without colour codes.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { expiryEnvironment } from '../config/expiry.ts';
import type { Environment } from '../config/model.ts';
import type { DeployInfraPorts, StackOutputs } from '../operations/deploy-infra.ts';
import { systemClock } from '../operations/ports.ts';
import { runCommand, stripAnsi } from '../process/command.ts';
import { environmentAdapters } from './adapters.ts';
import type { RunContext } from './context.ts';
import type { ActionIO } from './io.ts';

/** Ports for an environment; `now` is the instant that decided which allowlist entries have lapsed. */
export function deployInfraPorts(run: RunContext, configDir: string, io: ActionIO) {
  return async (environment: Environment, now: Date): Promise<DeployInfraPorts> => {
    const { stacks } = await environmentAdapters(environment, run, undefined);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LATTICE_INGRESS_CONFIG_DIR: resolve(run.workspace, configDir),
      // The CDK app checks the config as for a deploy, like this action: expired allowlist entries are left out.
      ...expiryEnvironment('leave-out', now),
      CI: 'true',
      FORCE_COLOR: '0',
    };
    const binary = join(run.workspace, 'node_modules', '.bin', 'cdk');
    const runCdk: DeployInfraPorts['cdk'] = async (args, options) => {
      if (!existsSync(binary)) {
        throw new Error(
          `${binary} is missing: run \`npm ci\` before this action (the CDK app and CLI are project dependencies)`,
        );
      }
      return runCommand(binary, args, {
        cwd: run.workspace,
        env,
        onLine: (line) => io.info(line),
        ...options,
      });
    };
    return {
      stacks,
      cdk: async (args, options) => {
        const result = await io.group(`cdk ${args.join(' ')}`, () => runCdk(args, options));
        return { ...result, stdout: stripAnsi(result.stdout), stderr: stripAnsi(result.stderr) };
      },
      readOutputs: async (path) => JSON.parse(await readFile(path, 'utf8')) as StackOutputs,
      clock: systemClock,
      log: (line) => io.info(line),
    };
  };
}
