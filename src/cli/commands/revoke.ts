// `lattice-ingress revoke`: break-glass, from a workstation or the revoke workflow. Translates flags into the
// revoke, lift or list operation (src/operations/) and its outcome into lines, the run summary on GitHub, the
// description of the allowlist's pull request and the local revocation log.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { replaceEntries } from '../../access/allowlist-edit.ts';
import type { AllowlistChange } from '../../access/revocation.ts';
import { awsProblem, createAwsClients } from '../../aws/clients.ts';
import { stackRevocationAcl } from '../../aws/network-acl.ts';
import { type LiftOutcome, lift } from '../../operations/lift.ts';
import { systemClock } from '../../operations/ports.ts';
import {
  type ListOutcome,
  listRevocations,
  type RevocationPorts,
  type RevocationRecord,
  type RevokeOutcome,
  revoke,
} from '../../operations/revoke.ts';
import { Report } from '../../render/report.ts';
import { type Command, type FlagValues, UsageError } from '../command.ts';
import { type AllowlistAndDeployment, loadConfigAllowingExpired } from '../valid-config.ts';

export const LOG_FILE = join('.lattice-ingress', 'revocations.log');

export const command: Command = async (_args, { values }) => {
  const name = values.env as string | undefined;
  if (!name) throw new UsageError('--env is required', 'name the environment: --env NAME');
  if (!values.lift && !values.list) requireRevocationFlags(values);
  const configDir = values.config as string;
  const loaded = await loadConfigAllowingExpired(configDir, 'Nothing was changed');
  if (!loaded) return 1;
  const environment = loaded.deployment.environments.find((e) => e.name === name);
  if (!environment) {
    const known = loaded.deployment.environments.map((e) => e.name).join(', ');
    throw new Error(`no environment named "${name}" in deployment.yaml (there are: ${known})`);
  }
  const profile = values.profile as string | undefined;
  const clients = createAwsClients({ region: environment.region, ...(profile ? { profile } : {}) });
  const ports: RevocationPorts = { revocationAcl: stackRevocationAcl(clients), clock: systemClock };
  if (values.list) return printList(await listRevocations(environment, ports));
  if (values.lift) {
    const outcome = await lift({ environment, allowlist: loaded.allowlist.entries }, ports);
    return printLift(outcome, environment.name);
  }
  const request = {
    environment,
    cidr: values.cidr as string,
    who: process.env.GITHUB_ACTOR ?? userInfo().username,
    why: values.reason as string,
    ...(values['write-allowlist'] ? { allowlist: loaded.allowlist.entries } : {}),
  };
  const outcome = await revoke(request, ports);
  return reportRevocation(outcome, { configDir, loaded, bodyFile: values['pull-request-body'] as string });
};

function printList(outcome: ListOutcome): number {
  if (outcome.state === 'failed') return failed(outcome);
  const lines = outcome.denies.map((d) => `${d.ruleNumber}  ${d.cidr}`);
  console.log(lines.length === 0 ? 'No revocation in place.' : lines.join('\n'));
  return 0;
}

function printLift(outcome: LiftOutcome, name: string): number {
  if (outcome.state === 'failed') return failed(outcome);
  console.log(
    outcome.lifted.length === 0
      ? `No revocation to lift in ${name} (${outcome.inPlace} in place).`
      : `Lifted in ${name}, the allowlist no longer admits them: ${outcome.lifted.map((d) => d.cidr).join(', ')}`,
  );
  return 0;
}

/** A revocation needs a range and a reason; the shared parser has checked the reason is one line of text. */
function requireRevocationFlags(values: FlagValues): void {
  if (!values.cidr)
    throw new UsageError('--cidr is required', 'give the client range to deny, e.g. --cidr 203.0.113.16/28');
  if (!values.reason) throw new UsageError('--reason is required', 'say why in one line: --reason TEXT');
}

function failed(outcome: { reason: string; error?: unknown }): number {
  const why = outcome.error === undefined ? '' : `: ${awsProblem(outcome.error)}`;
  console.error(`lattice-ingress revoke: ${outcome.reason}${why}. Nothing was changed.`);
  return 1;
}

interface Destinations {
  configDir: string;
  loaded: AllowlistAndDeployment;
  /** Where to write the pull request's description (--pull-request-body). */
  bodyFile?: string;
}

function reportRevocation(outcome: RevokeOutcome, to: Destinations): number {
  if (outcome.state === 'failed') return failed(outcome);
  if (outcome.state === 'refused') {
    console.error(`lattice-ingress revoke: ${outcome.reason}\n  fix: ${outcome.fix}\nNothing was changed.`);
    return 1;
  }
  const { record } = outcome;
  const done = outcome.changed
    ? `Denied ${record.cidr} in ${record.environment} (network ACL ${record.aclId}, rule ${record.rule}).`
    : `${record.cidr} was already denied in ${record.environment} by rule ${record.rule} (${outcome.deniedBy}); nothing changed.`;
  console.log(done);
  recordRevocation(outcome.record, outcome.changed, done);
  if (outcome.allowlistChange) writeAllowlist(outcome.allowlistChange, to.configDir, to.loaded);
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
export function pullRequestBody(record: RevocationRecord): Report {
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

function writeAllowlist(change: AllowlistChange, configDir: string, loaded: AllowlistAndDeployment): void {
  const { replace } = change;
  writeFileSync(join(configDir, 'allowlist.yaml'), replaceEntries(loaded.allowlistSource, replace));
  console.log(
    replace.size === 0
      ? 'allowlist.yaml admits no address of the range; it is unchanged.'
      : `allowlist.yaml: ${replace.size} entr${replace.size === 1 ? 'y' : 'ies'} removed or narrowed.`,
  );
}
