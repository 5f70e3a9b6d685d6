// The I/O of bootstrap and doctor: asks the aws, gh and git CLIs what exists, and runs the planned commands. The
// CLIs are the ones a person has configured (profiles, SSO, gh auth), which is why this shells out instead of using
// the SDKs.
import { spawnSync } from 'node:child_process';
import { type Environment, githubEnvironment } from '../../config/model.ts';
import { stackNames } from '../../contract/names.ts';
import { ACCESS_OUTPUTS } from '../../contract/outputs.ts';
import {
  type AwsOptions,
  type AwsState,
  BOOTSTRAP_STACK,
  executionPolicyArn,
  type GithubState,
  type Step,
  shellLine,
} from './plan.ts';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function capture(argv: readonly string[]): Result {
  const [command = '', ...args] = argv;
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return { status: null, stdout: '', stderr: result.error.message };
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Whether a program is on PATH and runs. */
export function available(program: string): boolean {
  return capture([program, '--version']).status === 0;
}

const ABSENT = /does not exist|NoSuchEntity|not found|NotFound/i;

/** Parsed JSON output, or undefined when the CLI says the thing does not exist; any other failure throws. */
function query<T>(argv: readonly string[]): T | undefined {
  const result = capture(argv);
  if (result.status === 0) return JSON.parse(result.stdout || 'null') as T;
  if (ABSENT.test(result.stderr)) return undefined;
  throw new Error(`${shellLine(argv)} failed: ${result.stderr.trim() || `exit ${result.status}`}`);
}

export function observeAws(env: Environment, options: AwsOptions): AwsState {
  const aws = (...args: string[]) => [
    'aws',
    ...args,
    '--region',
    env.region,
    '--output',
    'json',
    ...(options.profile ? ['--profile', options.profile] : []),
  ];
  const identity = capture(aws('sts', 'get-caller-identity'));
  if (identity.status !== 0) return { providers: [], executionPolicyExists: false, bootstrapped: false };
  const callerAccount = (JSON.parse(identity.stdout) as { Account: string }).Account;
  const providers =
    query<{ OpenIDConnectProviderList: { Arn: string }[] }>(aws('iam', 'list-open-id-connect-providers'))
      ?.OpenIDConnectProviderList ?? [];
  const policy = options.executionPolicy ?? executionPolicyArn(env);
  const stack = (name: string) =>
    query<{ Stacks: { Outputs?: { OutputKey: string; OutputValue: string }[] }[] }>(
      aws('cloudformation', 'describe-stacks', '--stack-name', name),
    )?.Stacks[0];
  const access = stack(stackNames(env).access);
  const accessOutputs = access
    ? Object.fromEntries((access.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]))
    : undefined;
  const deployRoleName = accessOutputs?.[ACCESS_OUTPUTS.deployRoleArn]?.split('/').at(-1);
  const role = deployRoleName
    ? query<{ Role: { AssumeRolePolicyDocument: unknown } }>(
        aws('iam', 'get-role', '--role-name', deployRoleName),
      )
    : undefined;
  return {
    callerAccount,
    providers: providers.map((provider) => provider.Arn),
    executionPolicyExists: query(aws('iam', 'get-policy', '--policy-arn', policy)) !== undefined,
    bootstrapped: stack(BOOTSTRAP_STACK) !== undefined,
    ...(accessOutputs ? { accessOutputs } : {}),
    ...(role ? { deployRoleTrust: JSON.stringify(role.Role.AssumeRolePolicyDocument) } : {}),
  };
}

/** The GitHub side as gh sees it; without gh only the git remote is known. */
export function observeGithub(repository: string, environments: readonly Environment[]): GithubState {
  const remote = capture(['git', 'remote', 'get-url', 'origin']);
  const state: GithubState = remote.status === 0 ? { remote: remote.stdout.trim() } : {};
  if (!available('gh')) return state;
  const variables = (...args: string[]) =>
    Object.fromEntries(
      (
        query<{ name: string; value: string }[]>([
          'gh',
          'variable',
          'list',
          ...args,
          '--repo',
          repository,
          '--json',
          'name,value',
        ]) ?? []
      ).map((variable) => [variable.name, variable.value]),
    );
  const names = (
    query<{ environments?: { name: string }[] }>(['gh', 'api', `repos/${repository}/environments`])
      ?.environments ?? []
  ).map((environment) => environment.name);
  return {
    ...state,
    environments: names,
    environmentVariables: Object.fromEntries(
      environments
        .map(githubEnvironment)
        .filter((name) => names.includes(name))
        .map((name) => [name, variables('--env', name)]),
    ),
    repositoryVariables: variables(),
  };
}

/** Runs the steps in order, showing each command; stops at the first that fails. */
export function runSteps(steps: readonly Step[], log: (line: string) => void): boolean {
  for (const step of steps) {
    log(`\n==> ${step.title}\n$ ${shellLine(step.argv)}`);
    const [command = '', ...args] = step.argv;
    const result = spawnSync(command, args, { stdio: 'inherit' });
    if (result.status !== 0) {
      log(
        `failed (${result.error?.message ?? `exit ${result.status}`}); fix the cause and run bootstrap again: every step can be repeated`,
      );
      return false;
    }
  }
  return true;
}
