// nginx 1.30 for the tests: a minimal Debian forky root (debootstrap) with nginx, its stream module and curl,
// cached under .tmp/forky. The proxy tests run the `image` rendering on it, and the image test imports it as the
// local stand-in for the official base image. Needs root (debootstrap, chroot); without it, or when a step fails,
// status.json says why and the tests that need it skip with that reason.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aptInstall } from './apt.mjs';
import { runWithProgress, say } from './progress.mjs';

/** Bumped when the contents of the root change, so a cached root from an older setup is rebuilt. */
const ROOT_VERSION = 1;
const MIRROR = 'http://deb.debian.org/debian';
const PACKAGES = ['nginx', 'libnginx-mod-stream', 'curl'];

/** Also read by src/local/nginx-builds.ts. */
export function forkyPaths(repoRoot) {
  const dir = join(repoRoot, '.tmp', 'forky');
  return { dir, root: join(dir, 'root'), status: join(dir, 'status.json') };
}

export async function ensureForkyRoot(repoRoot) {
  const paths = forkyPaths(repoRoot);
  if (readStatus(paths)?.ready && existsSync(join(paths.root, 'usr/sbin/nginx'))) return;
  mkdirSync(paths.dir, { recursive: true });
  const status = await (async () => {
    if (process.getuid?.() !== 0)
      return { ready: false, reason: 'building it needs root (debootstrap, chroot)' };
    try {
      return { ready: true, nginx: await buildRoot(paths) };
    } catch (error) {
      return { ready: false, reason: error.message };
    }
  })();
  writeFileSync(paths.status, `${JSON.stringify({ version: ROOT_VERSION, ...status }, null, 2)}\n`);
  if (!status.ready)
    console.warn(`setup: no nginx 1.30 root, the tests that need it will skip: ${status.reason}`);
}

function readStatus(paths) {
  try {
    const status = JSON.parse(readFileSync(paths.status, 'utf8'));
    return status.version === ROOT_VERSION ? status : undefined;
  } catch {
    return undefined;
  }
}

async function buildRoot(paths) {
  say(
    'building a Debian forky root with nginx 1.30 for the tests of what the image ships (4 steps: debootstrap, about 30 s plus the download, then apt-get in the root)',
  );
  if (!onPath('debootstrap')) await aptInstall('debootstrap');
  const building = `${paths.root}.building`;
  rmSync(building, { recursive: true, force: true });
  // Bookworm's debootstrap has no forky script; forky is built like sid.
  await run('step 1 of 4, debootstrap', 'debootstrap', [
    '--variant=minbase',
    'forky',
    building,
    MIRROR,
    '/usr/share/debootstrap/scripts/sid',
  ]);
  // Testing's Release files can carry a Valid-Until already in the past; and nothing may start services.
  writeFileSync(
    join(building, 'etc/apt/apt.conf.d/99lattice-ingress'),
    'Acquire::Check-Valid-Until "false";\n',
  );
  writeFileSync(join(building, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  await run('step 2 of 4, apt-get update in the root', 'chroot', [building, 'apt-get', 'update', '-qq']);
  await run(`step 3 of 4, apt-get install ${PACKAGES.join(' ')} in the root`, 'chroot', [
    building,
    'apt-get',
    'install',
    '-y',
    '-qq',
    '--no-install-recommends',
    ...PACKAGES,
  ]);
  await run('step 4 of 4, apt-get clean', 'chroot', [building, 'apt-get', 'clean']);
  const version = spawnSync('chroot', [building, 'nginx', '-v'], { encoding: 'utf8' }).stderr.trim();
  rmSync(paths.root, { recursive: true, force: true });
  renameSync(building, paths.root);
  return version.replace('nginx version: nginx/', '');
}

async function run(what, cmd, args) {
  say(`  ${what}`);
  const result = await runWithProgress(cmd, args, { what });
  if (result.status !== 0) {
    const detail = result.output.split('\n').slice(-3).join(' | ');
    throw new Error(`'${cmd} ${args.join(' ')}' failed (exit ${result.status}): ${detail}`);
  }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}
