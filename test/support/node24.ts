// The Node 24 binary `npm run setup` caches (GitHub runs the actions on node24), or why there is none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './run-action.ts';

const binary = join(REPO_ROOT, '.tmp', 'node24', 'bin', 'node');

function probe(): { node?: string; reason?: string } {
  if (!existsSync(binary))
    return { reason: `${binary} is missing: run npm run setup with the npm registry reachable` };
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout?.trim() ?? '';
  if (!version.startsWith('v24.'))
    return { reason: `${binary} is ${version || 'not runnable'}, not Node 24` };
  return { node: binary };
}

export const NODE24 = probe();
if (NODE24.reason) console.warn(`Node 24 bundle tests skip: ${NODE24.reason}`);
