// Before a rollback changes anything: what the target image would allow and serve compared with what runs now. The
// allowlist and services are baked into the image, so the configuration of the commit an image was built from is
// what it enforces (with the entries that had expired when it was deployed left out, as every deploy does).
import {
  type AccessSide,
  type AccessWidening,
  accessWidening,
  describeWidening,
  widens,
} from '../access/rollback-access.ts';
import { parseConfig } from '../config/load.ts';
import { readSourcesAtRef } from '../diff/git.ts';
import type { DeploymentRecord } from '../rollout/rollback-target.ts';
import type { ActionIO } from './io.ts';
import { ActionFailure } from './run.ts';

/** The access the configuration of `sha` grants, as a deployment made at `deployedAt` rendered it. */
async function accessAt(sha: string, configDir: string, deployedAt: Date): Promise<AccessSide> {
  const { parts } = parseConfig(await readSourcesAtRef(sha, configDir), {
    now: deployedAt,
    purpose: 'deploy',
  });
  if (!parts.allowlist || !parts.services)
    throw new Error(`the configuration at ${sha.slice(0, 12)} does not parse`);
  return { allowlist: parts.allowlist, services: parts.services };
}

export interface AccessCheck {
  configDir: string;
  /** What runs now: its deployment record when known, else the checked-out configuration. */
  current: { record?: DeploymentRecord; checkedOut: AccessSide };
  target: { sha?: string; record?: DeploymentRecord };
  allowWiderAccess: boolean;
  now: Date;
}

/**
 * Compares, reports in the summary, and refuses a rollback that would re-admit a range or a service unless the
 * operator allowed it. When the target's configuration cannot be read (no commit, or history not fetched), says so.
 */
export async function checkRollbackAccess(
  check: AccessCheck,
  io: ActionIO,
): Promise<AccessWidening | undefined> {
  const { current, target, configDir } = check;
  let widening: AccessWidening;
  try {
    if (!target.sha) throw new Error('the target names no commit');
    const now = current.record?.sha
      ? await accessAt(current.record.sha, configDir, new Date(current.record.createdAt))
      : current.checkedOut;
    const then = await accessAt(
      target.sha,
      configDir,
      target.record ? new Date(target.record.createdAt) : check.now,
    );
    widening = accessWidening(now, then, check.now.toISOString().slice(0, 10));
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    io.warning(`Access not compared: ${why}. Check what the target allows before relying on it.`);
    await io.appendSummary(`### Access\n\nNot compared: ${why}.\n`);
    return undefined;
  }
  const lines = describeWidening(widening);
  if (!widens(widening)) {
    await io.appendSummary(
      '### Access\n\nThe target allows and serves nothing that what runs now does not.\n',
    );
    return widening;
  }
  await io.appendSummary(`### Access\n\nThe target would widen access:\n\n${lines.join('\n')}\n`);
  if (!check.allowWiderAccess) {
    throw new ActionFailure(
      `the rollback would widen access, so nothing was changed:\n${lines.join('\n')}\n` +
        'Roll back to another version, or run again with allow-wider-access: true and a reason that says why ' +
        '(a range revoked with break-glass stays denied by the network ACL whatever image runs).',
    );
  }
  io.warning(`Rolling back widens access (allowed by the operator):\n${lines.join('\n')}`);
  return widening;
}
