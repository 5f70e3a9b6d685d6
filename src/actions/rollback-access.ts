// The rollback's access comparison, both ends: reading the access a commit's configuration grants (git, fetching
// the commit when the clone does not have it), and the comparison's section of the summary.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type AccessSide, describeWidening, widens } from '../access/rollback-access.ts';
import { parseConfig } from '../config/load.ts';
import { readSourcesAtRef } from '../diff/git.ts';
import type { AccessComparison } from '../operations/roll-back.ts';
import type { Report } from '../render/report.ts';

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

/** The comparison's section of the summary. */
export function accessReport(access: AccessComparison, report: Report): Report {
  report.heading('Access', 3);
  if (!access.compared) return report.paragraph(`Not compared: ${access.why}.`);
  if (!widens(access.widening))
    return report.paragraph('The target allows and serves nothing that what runs now does not.');
  return report
    .paragraph('The target would widen access:')
    .paragraph(describeWidening(access.widening).join('\n'));
}

/** The log line of an access comparison the operator overrode with allow-wider-access. */
export function overriddenAccess(access: AccessComparison): string | undefined {
  if (!access.compared) {
    return `Access not compared: ${access.why}. Rolling back anyway (allowed by the operator); check what the target allows.`;
  }
  if (!widens(access.widening)) return undefined;
  return `Rolling back widens access (allowed by the operator):\n${describeWidening(access.widening).join('\n')}`;
}

/** The refusal's fix, when access stopped the rollback. */
export function accessFix(access: AccessComparison): string {
  const lines = access.compared ? `\n${describeWidening(access.widening).join('\n')}` : '';
  return (
    `${lines}\nRoll back to another version, or run again with allow-wider-access: true and a reason that says why ` +
    '(a range revoked with break-glass stays denied by the network ACL whatever image runs).'
  );
}
