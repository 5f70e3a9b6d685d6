// The I/O of bootstrap and doctor: asks the aws, gh and git CLIs what exists, and runs the planned commands; ./ports.ts
// hands these to the operations. The CLIs are the ones a person has configured (profiles, SSO, gh auth), which is why
// this shells out instead of using the SDKs.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import {
  type AwsOptions,
  type AwsState,
  BOOTSTRAP_STACK,
  executionPolicyArn,
  type GithubState,
  type Step,
  shellLine,
} from '../../bootstrap-plan/plan.ts';
import type { EndpointAssociation } from '../../bootstrap-plan/service-networks.ts';
import { type Environment, githubEnvironment } from '../../config/model.ts';
import { stackNames } from '../../contract/names.ts';
import { ACCESS_OUTPUTS } from '../../contract/outputs.ts';
import type { StepResult } from '../../operations/bootstrap.ts';
import { describeAssociationsArgv, parseAssociations } from './service-networks.ts';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The clone's own programs (aws-cdk is a dev dependency): used when the program is not on PATH. */
const PROJECT_BIN = join(import.meta.dirname, '..', '..', '..', 'node_modules', '.bin');

/** Where a program is: on PATH, else in the project's node_modules/.bin; undefined when in neither. */
export function toolPath(program: string): string | undefined {
  const directories = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), PROJECT_BIN];
  return directories.map((directory) => join(directory, program)).find((path) => existsSync(path));
}

function spawn(argv: readonly string[], options: { stdio?: 'inherit' } = {}) {
  const [command = '', ...args] = argv;
  return spawnSync(toolPath(command) ?? command, args, { encoding: 'utf8', ...options });
}

function capture(argv: readonly string[]): Result {
  const result = spawn(argv);
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

/** An aws CLI call in the environment's Region, as JSON, with the profile when one is given. */
function awsIn(env: Environment, options: AwsOptions) {
  return (...args: string[]) => [
    'aws',
    ...args,
    '--region',
    env.region,
    '--output',
    'json',
    ...(options.profile ? ['--profile', options.profile] : []),
  ];
}

type AwsCall = ReturnType<typeof awsIn>;

function describeStack(aws: AwsCall, name: string) {
  return query<{ Stacks: { Outputs?: { OutputKey: string; OutputValue: string }[] }[] }>(
    aws('cloudformation', 'describe-stacks', '--stack-name', name),
  )?.Stacks[0];
}

/** A stack's outputs by key; undefined when the stack does not exist. */
function stackOutputs(aws: AwsCall, name: string): Record<string, string> | undefined {
  const stack = describeStack(aws, name);
  return stack
    ? Object.fromEntries((stack.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]))
    : undefined;
}

export function observeAws(env: Environment, options: AwsOptions): AwsState {
  const aws = awsIn(env, options);
  const identity = capture(aws('sts', 'get-caller-identity'));
  if (identity.status !== 0) return { providers: [], executionPolicyExists: false, bootstrapped: false };
  const callerAccount = (JSON.parse(identity.stdout) as { Account: string }).Account;
  const providers =
    query<{ OpenIDConnectProviderList: { Arn: string }[] }>(aws('iam', 'list-open-id-connect-providers'))
      ?.OpenIDConnectProviderList ?? [];
  const policy = options.executionPolicy ?? executionPolicyArn(env);
  const accessOutputs = stackOutputs(aws, stackNames(env).access);
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
    bootstrapped: describeStack(aws, BOOTSTRAP_STACK) !== undefined,
    ...(accessOutputs ? { accessOutputs } : {}),
    ...(role ? { deployRoleTrust: JSON.stringify(role.Role.AssumeRolePolicyDocument) } : {}),
  };
}

/** The outputs of the environment's Ingress stack; undefined when it is not deployed. */
export function observeIngressOutputs(
  env: Environment,
  options: AwsOptions,
): Record<string, string> | undefined {
  return stackOutputs(awsIn(env, options), stackNames(env).ingress);
}

/** What is associated with a service-network endpoint, with the names each association has through it. */
export function observeEndpointAssociations(
  env: Environment,
  options: AwsOptions,
  endpointId: string,
): EndpointAssociation[] {
  const answer = query<Parameters<typeof parseAssociations>[0]>(
    awsIn(env, options)(...describeAssociationsArgv(endpointId)),
  );
  return parseAssociations(answer ?? {});
}

/** The clone's origin URL, if any. */
export function originRemote(): string | undefined {
  const remote = capture(['git', 'remote', 'get-url', 'origin']);
  return remote.status === 0 ? remote.stdout.trim() : undefined;
}

/**
 * The GitHub side as gh sees it; without gh, or when gh cannot read it (signed out, no access), only the git
 * remote is known and `unavailable` says why.
 */
export function observeGithub(repository: string, environments: readonly Environment[]): GithubState {
  const remote = originRemote();
  const state: GithubState = remote ? { remote } : {};
  if (!available('gh')) return state;
  try {
    return { ...state, ...readGithub(repository, environments) };
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ...state,
      unavailable: `gh could not read ${repository} (${why}): sign in with gh auth login, with access to the repository`,
    };
  }
}

function readGithub(repository: string, environments: readonly Environment[]): GithubState {
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
    environments: names,
    environmentVariables: Object.fromEntries(
      environments
        .map(githubEnvironment)
        .filter((name) => names.includes(name))
        .map((name) => [name, variables('--env', name)]),
    ),
    repositoryVariables: variables(),
    ...runnersOf(repository, environments),
  };
}

/** The self-hosted runners, when an environment has a smoke runner; listing them needs admin rights. */
function runnersOf(repository: string, environments: readonly Environment[]): Pick<GithubState, 'runners'> {
  if (!environments.some((env) => env.smokeRunner)) return {};
  try {
    const listed = query<{ runners?: { name: string; status: string; labels: { name: string }[] }[] }>([
      'gh',
      'api',
      `repos/${repository}/actions/runners`,
    ]);
    return {
      runners: (listed?.runners ?? []).map((runner) => ({
        name: runner.name,
        status: runner.status,
        labels: runner.labels.map((label) => label.name),
      })),
    };
  } catch {
    return {};
  }
}

/** Runs a step's command on this terminal. */
export function runStep(step: Step): StepResult {
  const result = spawn(step.argv, { stdio: 'inherit' });
  return result.status === 0
    ? { ok: true }
    : { ok: false, why: result.error?.message ?? `exit ${result.status}` };
}
