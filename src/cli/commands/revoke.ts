// `lattice-ingress revoke`: break-glass, from a workstation or the revoke workflow. Translates flags into the
// revoke, lift or list operation (src/operations/) and its outcome into lines, the run summary on GitHub and the
// local revocation log.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { replaceEntries } from '../../access/allowlist-edit.ts';
import type { AllowlistChange } from '../../access/revocation.ts';
import { awsProblem, createAwsClients } from '../../aws/clients.ts';
import { stackRevocationAcl } from '../../aws/network-acl.ts';
import { SAFE_TEXT } from '../../config/model.ts';
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
import type { Command } from '../command.ts';
import { type AllowlistAndDeployment, loadConfigAllowingExpired } from '../valid-config.ts';

const USAGE = `Usage: lattice-ingress revoke --environment NAME --cidr CIDR --reason TEXT [--write-allowlist] [options]
       lattice-ingress revoke --environment NAME --lift [options]
       lattice-ingress revoke --environment NAME --list [options]

Denies CIDR in the network ACL of the environment's load balancer subnets: new and established connections from
and to the range stop within seconds, whatever image the fleet runs. Who, why and when go to the local log
~/.lattice-ingress/revocations.log (and the run summary on GitHub).
  --environment, --env NAME  environment of deployment.yaml
  --write-allowlist  also remove or narrow the range in allowlist.yaml (commit it in a pull request: the
                     deployment that no longer admits the range lifts the deny)
  --lift             remove the denies whose range the allowlist in --config no longer admits (run after a deployment)
  --list             print the denies in place
  --profile NAME     AWS profile (default: AWS_PROFILE or the default credential chain)
  --config DIR       configuration directory (default: config)`;

const OPTIONS = {
  environment: { type: 'string' },
  env: { type: 'string' },
  cidr: { type: 'string' },
  reason: { type: 'string' },
  'write-allowlist': { type: 'boolean', default: false },
  lift: { type: 'boolean', default: false },
  list: { type: 'boolean', default: false },
  profile: { type: 'string' },
  config: { type: 'string', default: 'config' },
  help: { type: 'boolean', default: false },
} as const;

type Flags = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

export const LOG_FILE = join('.lattice-ingress', 'revocations.log');

export const command: Command = async (args) => {
  const { values: flags } = parseArgs({ args, options: OPTIONS });
  if (flags.help) {
    console.log(USAGE);
    return 0;
  }
  const name = flags.environment ?? flags.env;
  if (!name) throw new Error('--environment NAME is required');
  if (!flags.lift && !flags.list) requireRevocationFlags(flags);
  const loaded = await loadConfigAllowingExpired(flags.config, 'Nothing was changed');
  if (!loaded) return 1;
  const environment = loaded.deployment.environments.find((e) => e.name === name);
  if (!environment) {
    const known = loaded.deployment.environments.map((e) => e.name).join(', ');
    throw new Error(`no environment named "${name}" in deployment.yaml (there are: ${known})`);
  }
  const clients = createAwsClients({
    region: environment.region,
    ...(flags.profile ? { profile: flags.profile } : {}),
  });
  const ports: RevocationPorts = { revocationAcl: stackRevocationAcl(clients), clock: systemClock };
  if (flags.list) return printList(await listRevocations(environment, ports));
  if (flags.lift) {
    const outcome = await lift({ environment, allowlist: loaded.allowlist.entries }, ports);
    return printLift(outcome, environment.name);
  }
  const request = {
    environment,
    cidr: flags.cidr as string,
    who: process.env.GITHUB_ACTOR ?? userInfo().username,
    why: flags.reason as string,
    ...(flags['write-allowlist'] ? { allowlist: loaded.allowlist.entries } : {}),
  };
  return reportRevocation(await revoke(request, ports), flags.config, loaded);
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

function requireRevocationFlags(flags: Flags): void {
  if (!flags.cidr) throw new Error('--cidr is required (the client range to deny, e.g. 203.0.113.16/28)');
  if (!flags.reason || !SAFE_TEXT.test(flags.reason)) {
    throw new Error(
      '--reason is required: one line saying why (letters, digits, spaces and . , : ( ) / @ & + _ -)',
    );
  }
}

function failed(outcome: { reason: string; error?: unknown }): number {
  const why = outcome.error === undefined ? '' : `: ${awsProblem(outcome.error)}`;
  console.error(`lattice-ingress revoke: ${outcome.reason}${why}. Nothing was changed.`);
  return 1;
}

function reportRevocation(outcome: RevokeOutcome, configDir: string, loaded: AllowlistAndDeployment): number {
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
  if (outcome.allowlistChange) writeAllowlist(outcome.allowlistChange, configDir, loaded);
  return 0;
}

/** Who, why and when: a line in the local log, and the run summary on GitHub. */
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

function writeAllowlist(change: AllowlistChange, configDir: string, loaded: AllowlistAndDeployment): void {
  const { replace } = change;
  writeFileSync(join(configDir, 'allowlist.yaml'), replaceEntries(loaded.allowlistSource, replace));
  console.log(
    replace.size === 0
      ? 'allowlist.yaml admits no address of the range; it is unchanged.'
      : `allowlist.yaml: ${replace.size} entr${replace.size === 1 ? 'y' : 'ies'} removed or narrowed.`,
  );
}
