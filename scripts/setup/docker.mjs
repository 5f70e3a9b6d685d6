// The container engine for the image test: Debian's docker.io (dockerd, containerd, runc), installed once with
// apt. Setup only installs it; the image test starts its own dockerd (own data root, socket, no host networking)
// and stops it again. Without root, or when the install fails, status.json says why and the image test skips.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstall } from './apt.mjs';

/** Also read by test/image/engine.ts. */
export function dockerPaths(repoRoot) {
  const dir = join(repoRoot, '.tmp', 'docker');
  return { dir, status: join(dir, 'status.json') };
}

/** Debian's own daemon and client, by path: another `docker` earlier on the PATH may be a different client. */
const BINARIES = { dockerd: '/usr/sbin/dockerd', docker: '/usr/bin/docker' };
const HELPERS = ['containerd', 'runc'];

export async function ensureDockerEngine(repoRoot) {
  const paths = dockerPaths(repoRoot);
  mkdirSync(paths.dir, { recursive: true });
  const status = await (async () => {
    if (process.getuid?.() !== 0) return { ready: false, reason: 'running dockerd needs root' };
    if (!installed()) {
      console.log('setup: installing docker.io with apt-get (the image test runs its own dockerd)');
      try {
        await aptInstall('docker.io');
      } catch (error) {
        return { ready: false, reason: error.message };
      }
      if (!installed())
        return {
          ready: false,
          reason: 'docker.io installed, but dockerd, containerd, runc or docker is missing',
        };
    }
    return { ready: true, ...BINARIES };
  })();
  writeFileSync(paths.status, `${JSON.stringify(status, null, 2)}\n`);
  if (!status.ready) console.warn(`setup: no container engine, the image test will skip: ${status.reason}`);
}

function installed() {
  const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
  return Object.values(BINARIES).every((path) => existsSync(path)) && HELPERS.every(onPath);
}
