// `lattice-ingress bootstrap --env NAME`: the one-time setup of an environment from a workstation. CDK bootstrap
// with a scoped execution policy, the Access stack, then the GitHub environment and its variables with gh (or the
// exact gh commands to run when gh is missing). Checks first; every step can be run again.
import { findEnvironment } from '../../config/valid-config.ts';
import { available, observeAws, originRemote, runSteps, toolPath } from '../bootstrap/observe.ts';
import {
  awsSteps,
  bootstrapProblems,
  checkoutProblems,
  githubSteps,
  type Problem,
  shellLine,
} from '../bootstrap/plan.ts';
import { type Command, UsageError } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

interface BootstrapFlags {
  env?: string;
  profile?: string;
  'execution-policy'?: string;
  config: string;
}

function refuse(envName: string, problems: readonly Problem[]): number {
  console.error(`Cannot bootstrap ${envName}; nothing was changed:`);
  for (const problem of problems) console.error(`  - ${problem.what}\n    fix: ${problem.fix}`);
  return 1;
}

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as unknown as BootstrapFlags;
  if (!values.env) throw new UsageError('--env is required', 'name the environment to set up: --env NAME');
  const config = await loadValidConfig(values.config, 'Nothing was changed');
  if (!config) return 1;
  const env = findEnvironment(config, values.env);
  const options = {
    ...(values.profile ? { profile: values.profile } : {}),
    ...(values['execution-policy'] ? { executionPolicy: values['execution-policy'] } : {}),
  };

  // This clone and machine first: nothing, not even a read, goes to AWS for another repository.
  const missingTools = ['aws', 'cdk'].filter((tool) => !toolPath(tool));
  const remote = originRemote();
  const local = checkoutProblems(env, { ...(remote ? { remote } : {}), missingTools });
  if (local.length > 0) return refuse(env.name, local);
  const problems = bootstrapProblems(config, env, observeAws(env, options), options);
  if (problems.length > 0) return refuse(env.name, problems);
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
