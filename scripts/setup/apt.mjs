// apt-get install for the setup modules: on a fresh machine the package lists may be missing or stale, so a
// failed install is retried once after apt-get update. Throws with apt's last words when both fail.
import { spawnSync } from 'node:child_process';

export function aptInstall(...packages) {
  const aptGet = (...args) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  const install = () => aptGet('install', '-y', '-qq', '--no-install-recommends', ...packages);
  let result = install();
  if (result.status !== 0) {
    aptGet('update', '-qq');
    result = install();
  }
  if (result.status !== 0) {
    const detail = (result.stderr ?? '').trim().split('\n').pop();
    throw new Error(`apt-get install ${packages.join(' ')} failed: ${detail}`);
  }
}
