// `lattice-ingress revoke`: break-glass. Denies a client range in the load balancers' network ACL within seconds,
// cutting its established connections too, whatever image runs; records who, why and when; and (--write-allowlist)
// removes or narrows the range in allowlist.yaml for the pull request that makes it permanent. `--lift` is the
// deployment's half: it removes the denies the deployed allowlist no longer needs.
import { appendFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { replaceEntries } from '../../access/allowlist-edit.ts';
import { utcDay } from '../../access/expiry.ts';
import { allowlistWithoutRange, liftableDenies, planRevocation } from '../../access/revocation.ts';
import { RETRY_CONFIG } from '../../aws/clients.ts';
import { Stacks } from '../../aws/cloudformation.ts';
import { RevocationAclEntries } from '../../aws/network-acl.ts';
import { SAFE_TEXT } from '../../config/model.ts';
import { stackNames } from '../../contract/names.ts';
import { INGRESS_OUTPUTS } from '../../contract/outputs.ts';
import { stackOutputs } from '../../rollout/aws-answers.ts';
import type { Command } from '../command.ts';
import { loadConfigAllowingExpired } from '../valid-config.ts';

const USAGE = `Usage: lattice-ingress revoke --environment NAME --cidr CIDR --reason TEXT [--write-allowlist] [--config DIR]
       lattice-ingress revoke --environment NAME --lift [--config DIR]
       lattice-ingress revoke --environment NAME --list [--config DIR]

Denies CIDR in the network ACL of the environment's load balancer subnets: new and established connections from
and to the range stop within seconds, whatever image the fleet runs. AWS credentials from the standard chain.
  --write-allowlist  also remove or narrow the range in allowlist.yaml (commit it in a pull request: the
                     deployment that no longer admits the range lifts the deny)
  --lift             remove the denies whose range the allowlist in --config no longer admits (run after a deployment)
  --list             print the denies in place`;

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      environment: { type: 'string' },
      cidr: { type: 'string' },
      reason: { type: 'string' },
      'write-allowlist': { type: 'boolean', default: false },
      lift: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      config: { type: 'string', default: 'config' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.environment) throw new Error('--environment NAME is required');
  const revoking = !values.lift && !values.list;
  if (revoking) {
    if (!values.cidr) throw new Error('--cidr is required (the client range to deny, e.g. 203.0.113.16/28)');
    if (!values.reason || !SAFE_TEXT.test(values.reason)) {
      throw new Error(
        '--reason is required: one line saying why (letters, digits, spaces and . , : ( ) / @ & + _ -)',
      );
    }
  }
  const loaded = await loadConfigAllowingExpired(values.config, 'Nothing was changed');
  if (!loaded) return 1;
  const env = loaded.deployment.environments.find((e) => e.name === values.environment);
  if (!env) {
    const known = loaded.deployment.environments.map((e) => e.name).join(', ');
    throw new Error(`no environment named "${values.environment}" in deployment.yaml (there are: ${known})`);
  }
  // Everything that can be refused without AWS is refused before anything is contacted.
  if (revoking) {
    const offline = planRevocation({ cidr: values.cidr as string, vpcCidr: env.vpcCidr, existing: [] });
    if (offline.kind === 'refused') return refuse(offline);
  }

  const config = { region: env.region, ...RETRY_CONFIG, customUserAgent: 'lattice-ingress' };
  const stack = await new Stacks(new CloudFormationClient(config)).describe(stackNames(env).ingress);
  const aclId = stack ? stackOutputs(stack)[INGRESS_OUTPUTS.revocationAclId] : undefined;
  if (!aclId) {
    throw new Error(
      `stack ${stackNames(env).ingress} has no ${INGRESS_OUTPUTS.revocationAclId} output: deploy the current infrastructure first`,
    );
  }
  const acl = new RevocationAclEntries(new EC2Client(config), aclId);
  const existing = await acl.denies();

  if (values.list) {
    console.log(
      existing.length === 0
        ? 'No revocation in place.'
        : existing.map((d) => `${d.ruleNumber}  ${d.cidr}`).join('\n'),
    );
    return 0;
  }
  if (values.lift) {
    const lifted = liftableDenies(existing, loaded.allowlist.entries);
    for (const rule of lifted) await acl.lift(rule);
    console.log(
      lifted.length === 0
        ? `No revocation to lift in ${env.name} (${existing.length} in place).`
        : `Lifted in ${env.name}, the allowlist no longer admits them: ${lifted.map((d) => d.cidr).join(', ')}`,
    );
    return 0;
  }

  const plan = planRevocation({ cidr: values.cidr as string, vpcCidr: env.vpcCidr, existing });
  if (plan.kind === 'refused') return refuse(plan);
  if (plan.kind === 'create') await acl.deny({ ruleNumber: plan.ruleNumber, cidr: plan.cidr });
  const when = new Date().toISOString();
  const who = process.env.GITHUB_ACTOR ?? userInfo().username;
  const rule = plan.kind === 'create' ? plan.ruleNumber : plan.rule.ruleNumber;
  const done =
    plan.kind === 'create'
      ? `Denied ${plan.cidr} in ${env.name} (network ACL ${aclId}, rule ${rule}).`
      : `${values.cidr} was already denied in ${env.name} by rule ${rule} (${plan.rule.cidr}); nothing changed.`;
  console.log(done);
  record(
    `## Revoked ${values.cidr} in ${env.name}\n\n| who | why | when | rule |\n|---|---|---|---|\n| ${who} | ${values.reason} | ${when} | ${rule} |\n\n${done}\n`,
  );

  if (values['write-allowlist']) {
    const { replace } = allowlistWithoutRange(
      loaded.allowlist.entries,
      values.cidr as string,
      utcDay(new Date()),
    );
    writeFileSync(join(values.config, 'allowlist.yaml'), replaceEntries(loaded.allowlistSource, replace));
    console.log(
      replace.size === 0
        ? 'allowlist.yaml admits no address of the range; it is unchanged.'
        : `allowlist.yaml: ${replace.size} entr${replace.size === 1 ? 'y' : 'ies'} removed or narrowed.`,
    );
  }
  return 0;
};

function refuse(plan: { reason: string; fix: string }): number {
  console.error(`lattice-ingress revoke: ${plan.reason}\n  fix: ${plan.fix}\nNothing was changed.`);
  return 1;
}

/** The run summary on GitHub; on a workstation the console line above is the record. */
function record(markdown: string): void {
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, markdown);
}
