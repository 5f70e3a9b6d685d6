// `lattice-ingress doctor`: checks what the first deployment needs, in AWS, GitHub and this clone, and says how to
// fix each problem. Changes nothing.
import { parseArgs } from 'node:util';
import { observeAws, observeGithub } from '../bootstrap/observe.ts';
import { environmentFindings, type Finding, repositoryFindings } from '../bootstrap/plan.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

const USAGE = `Usage: lattice-ingress doctor [--env NAME] [--profile PROFILE] [--config DIR]

Checks, for every environment of deployment.yaml (or NAME only): credentials for its account (--profile, or
AWS_PROFILE), the GitHub OIDC provider, CDK bootstrap, the Access stack and its deploy role's trust, the GitHub
environment and its DEPLOY_ROLE_ARN, the preview variable; and that github.repository is this clone's origin
and that GitHub has no environment deployment.yaml does not list. Exits 1 when a check fails (warnings do not).`;

/** The options doctor and bootstrap share. */
export const FIRST_DAY_OPTIONS = {
  env: { type: 'string' },
  profile: { type: 'string' },
  config: { type: 'string', default: 'config' },
  help: { type: 'boolean', default: false },
} as const;

function line(finding: Finding): string {
  const mark = finding.ok ? 'ok  ' : finding.warning ? 'warn' : 'FAIL';
  return `  ${mark}  ${finding.check}${finding.fix ? `\n        fix: ${finding.fix}` : ''}`;
}

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: FIRST_DAY_OPTIONS,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const config = await loadValidConfig(values.config, 'Nothing was checked');
  if (!config) return 1;
  const environments = config.deployment.environments.filter((env) => !values.env || env.name === values.env);
  if (environments.length === 0) throw new Error(`no environment "${values.env}" in deployment.yaml`);
  const options = values.profile ? { profile: values.profile } : {};

  const findings: Finding[] = [];
  const [first] = config.deployment.environments;
  const github = observeGithub(first?.github.repository ?? '', config.deployment.environments);
  const repository = repositoryFindings(config, github);
  console.log('Repository:');
  for (const finding of repository) console.log(line(finding));
  findings.push(...repository);
  for (const env of environments) {
    const found = environmentFindings(env, observeAws(env, options), github, options);
    console.log(`\n${env.name} (account ${env.account}, ${env.region}):`);
    for (const finding of found) console.log(line(finding));
    findings.push(...found);
  }
  const failed = findings.filter((finding) => !finding.ok && !finding.warning).length;
  console.log(failed === 0 ? '\nEverything checked is in place.' : `\n${failed} check(s) failed.`);
  return failed === 0 ? 0 : 1;
};
