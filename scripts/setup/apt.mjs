// apt-get install for the setup modules: on a fresh machine the package lists may be missing or stale, so a
// failed install is retried once after apt-get update. Throws with apt's last words when both fail.
import { runWithProgress } from './progress.mjs';

export async function aptInstall(...packages) {
  const [aptCmd, ...prefix] = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const aptGet = (what, ...args) => runWithProgress(aptCmd, [...prefix, ...args], { what, env });
  const what = `apt-get install ${packages.join(' ')}`;
  const install = () => aptGet(what, 'install', '-y', '-qq', '--no-install-recommends', ...packages);
  let result = await install();
  if (result.status !== 0) {
    await aptGet('apt-get update', 'update', '-qq');
    result = await install();
  }
  if (result.status !== 0) {
    throw new Error(`${what} failed: ${result.output.split('\n').pop()}`);
  }
}
