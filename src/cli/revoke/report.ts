// What the revoke command shows and leaves of its outcomes: lines on the terminal, a line of JSON in the local
// revocation log, the run summary on GitHub, the allowlist's pull request description and allowlist.yaml edited.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { replaceEntries } from '../../access/allowlist-edit.ts';
import type { AllowlistChange } from '../../access/revocation.ts';
import { awsProblem } from '../../aws/clients.ts';
import type { LiftOutcome } from '../../operations/lift.ts';
import type { ListOutcome, Refusal, RevocationRecord, RevokeOutcome } from '../../operations/revoke.ts';
import { Report } from '../../render/report.ts';
import type { ConfigRead } from './ports.ts';

const LOG_FILE = join('.lattice-ingress', 'revocations.log');

export function printList(outcome: ListOutcome): number {
  if (outcome.state !== 'completed') return unfinished(outcome);
  const lines = outcome.denies.map((d) => `${d.ruleNumber}  ${d.cidr}`);
  console.log(lines.length === 0 ? 'No revocation in place.' : lines.join('\n'));
  return 0;
}

export function printLift(outcome: LiftOutcome, name: string): number {
  if (outcome.state !== 'completed') return unfinished(outcome);
  console.log(
    outcome.lifted.length === 0
      ? `No revocation to lift in ${name} (${outcome.inPlace} in place).`
      : `Lifted in ${name}, the allowlist no longer admits them: ${outcome.lifted.map((d) => d.cidr).join(', ')}`,
  );
  return 0;
}

/** A refusal or failure on stderr; nothing was changed either way. */
function unfinished(outcome: Refusal | { state: 'failed'; reason: string; error?: unknown }): number {
  if (outcome.state === 'refused') {
    console.error(`lattice-ingress revoke: ${outcome.reason}\n  fix: ${outcome.fix}\nNothing was changed.`);
    return 1;
  }
  const why = outcome.error === undefined ? '' : `: ${awsProblem(outcome.error)}`;
  console.error(`lattice-ingress revoke: ${outcome.reason}${why}. Nothing was changed.`);
  return 1;
}

/** Where a completed revocation is written besides the terminal and the logs. */
interface Destinations {
  configDir: string;
  /** The run's read of config/, whose allowlist.yaml text --write-allowlist edits. */
  readConfig: () => ConfigRead;
  /** Where to write the pull request's description (--pull-request-body). */
  bodyFile?: string;
}

export async function reportRevocation(outcome: RevokeOutcome, to: Destinations): Promise<number> {
  if (outcome.state !== 'completed') return unfinished(outcome);
  const { record } = outcome;
  const done = outcome.changed
    ? `Denied ${record.cidr} in ${record.environment} (network ACL ${record.aclId}, rule ${record.rule}).`
    : `${record.cidr} was already denied in ${record.environment} by rule ${record.rule} (${outcome.deniedBy}); nothing changed.`;
  console.log(done);
  recordRevocation(outcome.record, outcome.changed, done);
  if (outcome.allowlistChange) await writeAllowlist(outcome.allowlistChange, to);
  if (to.bodyFile) writeFileSync(to.bodyFile, pullRequestBody(record).text());
  return 0;
}

/** Who, why and when: a line of JSON in the local log, and the run summary on GitHub. */
function recordRevocation(record: RevocationRecord, changed: boolean, done: string): void {
  const logFile = join(homedir(), LOG_FILE);
  mkdirSync(dirname(logFile), { recursive: true });
  appendFileSync(logFile, `${JSON.stringify({ ...record, changed })}\n`);
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const summary = new Report('markdown')
    .heading(`Revoked ${record.cidr} in ${record.environment}`)
    .table(['who', 'why', 'when', 'rule'], [[record.who, record.why, record.when, String(record.rule)]])
    .paragraph(done);
  appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary.text());
}

/** The description of the pull request that makes the revocation permanent; who and why are shown as typed. */
function pullRequestBody(record: RevocationRecord): Report {
  const report = new Report('markdown');
  return report
    .paragraph(
      `Revoked ${report.code(record.cidr)} in ${record.environment} by @${report.escape(record.who)}: ${report.escape(record.why)}`,
    )
    .paragraph(
      'Merging removes or narrows the range in the allowlist; the deployment that follows lifts the network ACL deny, since the proxy then refuses the range itself.',
    )
    .paragraph(
      'A pull request opened with the workflow token starts no checks by itself: close and reopen it to run them.',
    );
}

/** allowlist.yaml with the change applied, its comments and layout kept. */
async function writeAllowlist(
  change: AllowlistChange,
  { configDir, readConfig }: Destinations,
): Promise<void> {
  const { replace } = change;
  const read = await readConfig();
  if (!('loaded' in read)) throw new Error(`${configDir}/allowlist.yaml could not be read back`);
  writeFileSync(join(configDir, 'allowlist.yaml'), replaceEntries(read.loaded.allowlistSource, replace));
  console.log(
    replace.size === 0
      ? 'allowlist.yaml admits no address of the range; it is unchanged.'
      : `allowlist.yaml: ${replace.size} entr${replace.size === 1 ? 'y' : 'ies'} removed or narrowed.`,
  );
}
