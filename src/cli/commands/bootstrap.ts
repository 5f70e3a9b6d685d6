// `lattice-ingress bootstrap --env NAME`: the one-time setup of an environment from a workstation. CDK bootstrap
// with a scoped execution policy, the Access stack, then the GitHub environment and its variables with gh (or the
// exact gh commands to run when gh is missing). Checks first; every step can be run again.
import { parseArgs } from 'node:util';
import { findEnvironment } from '../../config/valid-config.ts';
import { available, observeAws, runSteps } from '../bootstrap/observe.ts';
import {
  awsSteps,
  bootstrapProblems,
  EXECUTION_POLICY_NAME,
  githubSteps,
  shellLine,
} from '../bootstrap/plan.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';
import { FIRST_DAY_OPTIONS } from './doctor.ts';

const USAGE = `Usage: lattice-ingress bootstrap --env NAME [--profile PROFILE] [--execution-policy ARN] [--config DIR]

Sets up environment NAME of deployment.yaml once, with administrator credentials for its account:
  1. cdk bootstrap of its account and Region, CloudFormation limited to the execution policy
     (default: the account's ${EXECUTION_POLICY_NAME} policy, created beforehand from infra/)
  2. cdk deploy of its Access stack (GitHub OIDC provider, deploy and preview roles)
  3. with gh: its GitHub environment (deployments from protected branches only), the environment variable
     DEPLOY_ROLE_ARN and the repository variable PREVIEW_ROLE_ARN_<ENV>; without gh, the commands to run.
Nothing runs when a check fails (credentials for another account, a missing policy, an OIDC provider that
already exists); each problem is printed with its fix. Run lattice-ingress doctor afterwards.`;

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: { ...FIRST_DAY_OPTIONS, 'execution-policy': { type: 'string' } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.env) throw new Error(`--env is required\n\n${USAGE}`);
  const config = await loadValidConfig(values.config, 'Nothing was changed');
  if (!config) return 1;
  const env = findEnvironment(config, values.env);
  const options = {
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values['execution-policy'] ? { executionPolicy: values['execution-policy'] } : {}),
  };

  const problems = bootstrapProblems(config, env, observeAws(env, options), options);
  if (problems.length > 0) {
    console.error(`Cannot bootstrap ${env.name}; nothing was changed:`);
    for (const problem of problems) console.error(`  - ${problem.what}\n    fix: ${problem.fix}`);
    return 1;
  }
  if (!runSteps(awsSteps(env, options), console.log)) return 1;

  const outputs = observeAws(env, options).accessOutputs ?? {};
  const steps = githubSteps(env, outputs);
  if (!available('gh')) {
    console.log(
      `\ngh (the GitHub CLI) is not installed. Run these, signed in to GitHub with admin rights on ${env.github.repository}:`,
    );
    for (const step of steps) console.log(`  ${shellLine(step.argv)}`);
    console.log('\nThen check everything with: lattice-ingress doctor');
    return 0;
  }
  if (!runSteps(steps, console.log)) return 1;
  console.log(
    `\n${env.name} is bootstrapped. Add required reviewers in Settings -> Environments if you want them, then check with: lattice-ingress doctor --env ${env.name}`,
  );
  return 0;
};
