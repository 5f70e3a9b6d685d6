// The container engine for the image test: Debian's docker.io (dockerd, containerd, runc), installed once with
// apt. Setup only installs it; the image test starts its own dockerd (own data root, socket, no host networking)
// and stops it again. Without root, or when the install fails, status.json says why and the image test skips.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Also read by test/image/engine.ts. */
export function dockerPaths(repoRoot) {
  const dir = join(repoRoot, '.tmp', 'docker');
  return { dir, status: join(dir, 'status.json') };
}

const PROGRAMS = ['dockerd', 'containerd', 'runc', 'docker'];
const BINARIES = { dockerd: '/usr/sbin/dockerd', docker: '/usr/bin/docker' };

export function ensureDockerEngine(repoRoot) {
  const paths = dockerPaths(repoRoot);
  mkdirSync(paths.dir, { recursive: true });
  const status = (() => {
    if (process.getuid?.() !== 0) return { ready: false, reason: 'running dockerd needs root' };
    if (!installed()) {
      console.log('setup: installing docker.io with apt-get (the image test runs its own dockerd)');
      const result = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'docker.io'], {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      });
      if (result.status !== 0 || !installed())
        return {
          ready: false,
          reason: `apt-get install docker.io failed: ${result.stderr.trim().split('\n').pop()}`,
        };
    }
    return { ready: true, ...BINARIES };
  })();
  writeFileSync(paths.status, `${JSON.stringify(status, null, 2)}\n`);
  if (!status.ready) console.warn(`setup: no container engine, the image test will skip: ${status.reason}`);
}

function installed() {
  return PROGRAMS.every(
    (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0,
  );
}
