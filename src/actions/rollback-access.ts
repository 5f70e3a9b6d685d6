// The access a commit's configuration grants, for the rollback's comparison: read from git, fetching the commit when
// the clone does not have it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AccessSide } from '../access/rollback-access.ts';
import { parseConfig } from '../config/load.ts';
import { readSourcesAtRef } from '../diff/git.ts';

const run = promisify(execFile);

/**
 * The access the configuration of `sha` grants, as a deployment made at `deployedAt` rendered it (expired entries
 * left out, as every deploy does). A commit missing from a shallow or stale clone is fetched from origin first.
 */
export function gitAccessAt(configDir: string) {
  return async (sha: string, deployedAt: Date): Promise<AccessSide> => {
    const sources = await readSourcesAtRef(sha, configDir).catch(async () => {
      await run('git', ['-C', configDir, 'fetch', '--quiet', '--no-tags', 'origin', sha]).catch(() => {
        throw new Error(
          `commit ${sha.slice(0, 12)} is neither in the clone of ${configDir} nor fetchable from origin`,
        );
      });
      return readSourcesAtRef(sha, configDir);
    });
    const { parts } = parseConfig(sources, { now: deployedAt, expired: 'leave-out' });
    if (!parts.allowlist || !parts.services)
      throw new Error(`the configuration at ${sha.slice(0, 12)} does not parse`);
    return { allowlist: parts.allowlist, services: parts.services };
  };
}
