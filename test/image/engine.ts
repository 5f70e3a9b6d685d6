// A container engine of the test's own: Debian's dockerd (installed by scripts/setup/docker.mjs) with its data
// root, exec root, pid file and socket under .tmp/docker, and nothing that touches the host's network (no
// bridge, no iptables, no forwarding or masquerading); containers run with --network host, builds with
// --network none. Started by the image test and stopped after it.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { FORKY_DIR } from '../../src/local/nginx-builds.ts';

const run = promisify(execFile);
const DOCKER_DIR = fileURLToPath(new URL('../../.tmp/docker', import.meta.url));

interface EngineStatus {
  ready: boolean;
  reason?: string;
  dockerd?: string;
  docker?: string;
}

/** Why the image test cannot run here, or undefined when it can. */
export function engineUnavailable(): string | undefined {
  const read = (dir: string): EngineStatus | undefined => {
    try {
      return JSON.parse(readFileSync(join(dir, 'status.json'), 'utf8'));
    } catch {
      return undefined;
    }
  };
  const docker = read(DOCKER_DIR);
  if (!docker) return 'no container engine: run `npm run setup` as root';
  if (!docker.ready) return `no container engine: ${docker.reason}`;
  const forky = read(FORKY_DIR);
  if (!forky?.ready)
    return `no forky root for the local base image: ${forky?.reason ?? 'run `npm run setup` as root'}`;
  return undefined;
}

export interface Engine {
  /**
   * Runs the docker CLI against this engine, its stdin from `stdinFrom` (a command) when given; rejects with its
   * output when it fails.
   */
  docker(args: readonly string[], options?: { stdinFrom?: readonly string[] }): Promise<string>;
  stop(): Promise<void>;
}

export async function startEngine(): Promise<Engine> {
  const status = JSON.parse(readFileSync(join(DOCKER_DIR, 'status.json'), 'utf8')) as Required<EngineStatus>;
  for (const sub of ['data', 'exec']) mkdirSync(join(DOCKER_DIR, sub), { recursive: true });
  const socket = `unix://${join(DOCKER_DIR, 'docker.sock')}`;
  const daemon: ChildProcess = spawn(
    status.dockerd,
    [
      `--data-root=${join(DOCKER_DIR, 'data')}`,
      `--exec-root=${join(DOCKER_DIR, 'exec')}`,
      `--pidfile=${join(DOCKER_DIR, 'dockerd.pid')}`,
      `--host=${socket}`,
      '--iptables=false',
      '--ip6tables=false',
      '--ip-forward=false',
      '--ip-masq=false',
      '--bridge=none',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  daemon.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-16_384);
  });
  const exited = new Promise<void>((resolve) => daemon.once('close', () => resolve()));
  // Last resort when the test process ends without stopping it.
  const killOnExit = () => daemon.kill('SIGTERM');
  process.once('exit', killOnExit);
  const env = { ...process.env, DOCKER_HOST: socket, DOCKER_BUILDKIT: '1' };
  const docker: Engine['docker'] = async (args, options = {}) => {
    if (options.stdinFrom === undefined) {
      const { stdout } = await run(status.docker, args, { env, maxBuffer: 16 * 1024 * 1024 }).catch(
        (error) => {
          throw new Error(
            `docker ${args.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? error.message}`,
          );
        },
      );
      return stdout;
    }
    return pipeInto(status.docker, args, env, options.stdinFrom);
  };
  const stop = async () => {
    process.off('exit', killOnExit);
    if (daemon.exitCode === null && daemon.signalCode === null) {
      daemon.kill('SIGTERM');
      const timer = setTimeout(() => daemon.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await docker(['version', '--format', '{{.Server.Version}}']);
      return { docker, stop };
    } catch (error) {
      if (Date.now() > deadline || daemon.exitCode !== null) {
        await stop();
        throw new Error(`dockerd did not come up: ${(error as Error).message}\n${log}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** A command whose stdin is another's stdout (docker import of a tar stream). */
function pipeInto(
  docker: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  [producer, ...producerArgs]: readonly string[],
): Promise<string> {
  return new Promise((resolve, reject) => {
    const source = spawn(producer as string, producerArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
    const child = spawn(docker, args, { env, stdio: [source.stdout, 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.once('close', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`docker ${args.join(' ')} failed:\n${output}`)),
    );
  });
}
