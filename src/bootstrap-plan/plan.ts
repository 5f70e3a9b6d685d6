// The first day, as data: which commands bootstrap runs in which order, and what doctor finds wrong, computed from
// the configuration and the state observed in AWS, GitHub and git. No I/O here: src/operations/bootstrap.ts and
// doctor.ts take the state through their ports, src/cli/bootstrap/observe.ts gathers it and runs the commands.

import { type Config, type Environment, githubEnvironment } from '../config/model.ts';
import {
  CDK_QUALIFIER,
  GITHUB_OIDC_HOST,
  githubProviderArn,
  partitionOf,
  previewRoleVariable,
  stackNames,
} from '../contract/names.ts';
import { ACCESS_OUTPUTS } from '../contract/outputs.ts';
import type { Finding } from './finding.ts';
import { type Runner, smokeRunnerFindings } from './smoke-runner.ts';

/** The IAM policy `cdk bootstrap` gives CloudFormation's execution role, unless --execution-policy names another. */
export const EXECUTION_POLICY_NAME = 'LatticeIngressCdkExecution';
/** The stack `cdk bootstrap` creates in each account and Region. */
export const BOOTSTRAP_STACK = 'CDKToolkit';

export function executionPolicyArn(env: Environment): string {
  return `arn:${partitionOf(env.region)}:iam::${env.account}:policy/${EXECUTION_POLICY_NAME}`;
}

export function providerArn(env: Environment): string {
  return githubProviderArn(env.account, env.region);
}

/** What the AWS CLI showed for one environment's account and Region. */
export interface AwsState {
  /** Account of the credentials in use; undefined when there are none. */
  callerAccount?: string;
  /** ARNs of the account's OIDC providers. */
  providers: string[];
  executionPolicyExists: boolean;
  bootstrapped: boolean;
  /** Outputs of the environment's Access stack; undefined when it is not deployed. */
  accessOutputs?: Record<string, string>;
  /** Trust policy (JSON) of the deploy role, when it exists. */
  deployRoleTrust?: string;
}

export interface Problem {
  what: string;
  fix: string;
}

export interface Step {
  title: string;
  argv: string[];
}

export interface AwsOptions {
  profile?: string;
  executionPolicy?: string;
}

/** Creates the provider when this is the account's first environment in deployment.yaml and none is configured. */
export function createsProvider(config: Config, env: Environment): boolean {
  if (env.github.oidcProviderArn) return false;
  const first = config.deployment.environments.find((candidate) => candidate.account === env.account);
  return first?.name === env.name;
}

const profileArgs = (options: AwsOptions) => (options.profile ? ['--profile', options.profile] : []);

/** What bootstrap needs from this machine and clone, seen before anything runs. */
export interface Checkout {
  /** URL of the clone's origin, when it has one. */
  remote?: string;
  /** Programs bootstrap runs that are neither on PATH nor in node_modules/.bin. */
  missingTools: string[];
}

const INSTALL: Readonly<Record<string, string>> = {
  aws: 'install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)',
  cdk: "run npm ci in this clone (it installs the project's aws-cdk), or npm install -g aws-cdk",
};

/**
 * Why bootstrap must not even look at AWS: a repository other than this clone's (the deploy role would trust it:
 * typically the sample github.repository left in place), or a missing program.
 */
export function checkoutProblems(env: Environment, checkout: Checkout): Problem[] {
  const problems: Problem[] = checkout.missingTools.map((tool) => ({
    what: `${tool} is not installed (not on PATH, not in node_modules/.bin)`,
    fix: INSTALL[tool] ?? `install ${tool}`,
  }));
  const remote = checkout.remote ? repositoryOfRemote(checkout.remote) : undefined;
  if (remote !== env.github.repository) {
    problems.push({
      what: `github.repository of ${env.name} is ${env.github.repository}, but this clone's origin is ${remote ?? checkout.remote ?? 'not set'}: the deploy role would trust ${env.github.repository}`,
      fix: remote
        ? `set github.repository: ${remote} in deployment.yaml (or run bootstrap from a clone of ${env.github.repository})`
        : `run bootstrap from a clone of ${env.github.repository} whose origin is on GitHub (git remote add origin ...)`,
    });
  }
  return problems;
}

/** Why bootstrapping this environment cannot start, each with its fix; empty when it can. */
export function bootstrapProblems(
  config: Config,
  env: Environment,
  aws: AwsState,
  options: AwsOptions,
): Problem[] {
  const problems: Problem[] = [];
  const profile = options.profile ? ` (profile ${options.profile})` : '';
  if (aws.callerAccount === undefined) {
    return [
      {
        what: `no AWS credentials${profile}`,
        fix: 'sign in (aws sso login, or export AWS_PROFILE) with administrator rights on the account, or pass --profile',
      },
    ];
  }
  if (aws.callerAccount !== env.account) {
    problems.push({
      what: `the credentials${profile} are for account ${aws.callerAccount}; ${env.name} is in ${env.account}`,
      fix: `pass --profile with a profile of account ${env.account}, or correct account in deployment.yaml`,
    });
  }
  const policy = options.executionPolicy ?? executionPolicyArn(env);
  if (!aws.executionPolicyExists) {
    problems.push({
      what: `the CDK execution policy ${policy} does not exist`,
      fix: `create it from the policy document in infra/ (see docs/infrastructure.md#bootstrap), or pass --execution-policy ARN`,
    });
  }
  const existing = aws.providers.find((arn) => arn.endsWith(`:oidc-provider/${GITHUB_OIDC_HOST}`));
  if (existing && !aws.accessOutputs && createsProvider(config, env)) {
    problems.push({
      what: `account ${env.account} already has a GitHub OIDC provider, and the Access stack of ${env.name} would create another`,
      fix: `reuse it: add "oidcProviderArn: ${existing}" under github: of every environment in account ${env.account} in deployment.yaml`,
    });
  }
  if (!existing && !createsProvider(config, env) && !env.github.oidcProviderArn) {
    const first = config.deployment.environments.find((candidate) => candidate.account === env.account);
    problems.push({
      what: `${env.name} reuses the GitHub OIDC provider of ${first?.name}, which does not exist yet`,
      fix: `bootstrap ${first?.name} first: lattice-ingress bootstrap --env ${first?.name}`,
    });
  }
  return problems;
}

/** The AWS side, in order: CDK bootstrap with the scoped execution policy, then the Access stack. */
export function awsSteps(env: Environment, options: AwsOptions): Step[] {
  const policy = options.executionPolicy ?? executionPolicyArn(env);
  return [
    {
      title: `CDK bootstrap of aws://${env.account}/${env.region}, CloudFormation limited to ${policy}`,
      argv: [
        'cdk',
        'bootstrap',
        `aws://${env.account}/${env.region}`,
        '--qualifier',
        CDK_QUALIFIER,
        '--cloudformation-execution-policies',
        policy,
        ...profileArgs(options),
      ],
    },
    {
      title: `GitHub access for ${env.name}: OIDC provider and the deploy and preview roles`,
      argv: ['cdk', 'deploy', stackNames(env).access, '--exclusively', ...profileArgs(options)],
    },
  ];
}

/** The GitHub side: the environment limited to main, and the variables the workflows read. */
export function githubSteps(env: Environment, accessOutputs: Record<string, string>): Step[] {
  const repo = env.github.repository;
  const environment = githubEnvironment(env);
  const deployRole = accessOutputs[ACCESS_OUTPUTS.deployRoleArn] ?? '';
  const previewRole = accessOutputs[ACCESS_OUTPUTS.previewRoleArn] ?? '';
  return [
    {
      title: `GitHub environment ${environment}, deployments from protected branches only`,
      argv: [
        'gh',
        'api',
        '--method',
        'PUT',
        `repos/${repo}/environments/${environment}`,
        '-F',
        'deployment_branch_policy[protected_branches]=true',
        '-F',
        'deployment_branch_policy[custom_branch_policies]=false',
      ],
    },
    {
      title: `variable DEPLOY_ROLE_ARN of environment ${environment}`,
      argv: [
        'gh',
        'variable',
        'set',
        'DEPLOY_ROLE_ARN',
        '--env',
        environment,
        '--body',
        deployRole,
        '--repo',
        repo,
      ],
    },
    {
      title: `repository variable ${previewRoleVariable(env.name)} for pull-request previews`,
      argv: ['gh', 'variable', 'set', previewRoleVariable(env.name), '--body', previewRole, '--repo', repo],
    },
  ];
}

/** A command as a person would type it, quoting only what needs it. */
export function shellLine(argv: readonly string[]): string {
  return argv
    .map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`))
    .join(' ');
}

/** owner/name of a GitHub remote URL (https or ssh), or undefined for another host. */
export function repositoryOfRemote(url: string): string | undefined {
  const match =
    /^(?:https:\/\/github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/]+\/[^/]+?)(?:\.git)?\/?$/.exec(
      url.trim(),
    );
  return match?.[1];
}

/** What GitHub and git showed; undefined fields could not be looked at (no gh, no remote). */
export interface GithubState {
  remote?: string;
  /** Names of the repository's GitHub environments. */
  environments?: string[];
  /** Variables by GitHub environment name. */
  environmentVariables?: Record<string, Record<string, string>>;
  repositoryVariables?: Record<string, string>;
  /** The repository's self-hosted runners; undefined when they could not be listed. */
  runners?: Runner[];
  /** Why the GitHub side could not be read (gh missing, signed out, no access), when it could not. */
  unavailable?: string;
}

/** Collects findings: a passed check, or a failed one with its fix (a warning does not fail doctor). */
class Findings {
  readonly list: Finding[] = [];
  check(ok: boolean, what: string, fix: string, warning = false): void {
    this.list.push(ok ? { ok, check: what } : { ok, check: what, fix, ...(warning ? { warning } : {}) });
  }
}

const bootstrapCommand = (env: Environment, options: AwsOptions) =>
  `lattice-ingress bootstrap --env ${env.name}${options.profile ? ` --profile ${options.profile}` : ''}`;

/** doctor's checks of one environment in AWS. */
export function awsFindings(env: Environment, aws: AwsState, options: AwsOptions): Finding[] {
  const bootstrap = bootstrapCommand(env, options);
  const findings = new Findings();
  const credentialsOk = aws.callerAccount === env.account;
  findings.check(
    credentialsOk,
    `credentials for account ${env.account}`,
    aws.callerAccount
      ? `these are for ${aws.callerAccount}: pass --profile with a profile of ${env.account}`
      : 'sign in (aws sso login, or export AWS_PROFILE), or pass --profile',
  );
  if (!credentialsOk) return findings.list;
  findings.check(
    aws.providers.includes(env.github.oidcProviderArn ?? providerArn(env)),
    `GitHub OIDC provider in account ${env.account}`,
    env.github.oidcProviderArn
      ? `deployment.yaml names ${env.github.oidcProviderArn}, which does not exist: correct github.oidcProviderArn`
      : bootstrap,
  );
  findings.check(aws.bootstrapped, `CDK bootstrap in ${env.region}`, bootstrap);
  findings.check(aws.accessOutputs !== undefined, `stack ${stackNames(env).access}`, bootstrap);
  const subject = `repo:${env.github.repository}:environment:${githubEnvironment(env)}`;
  if (aws.accessOutputs) {
    findings.check(
      aws.deployRoleTrust?.includes(`"${subject}"`) ?? false,
      `deploy role trusts ${subject}`,
      `the role was deployed for another repository or environment: fix github in deployment.yaml, then ${bootstrap}`,
    );
  }
  return findings.list;
}

/**
 * doctor's checks of one environment on GitHub. The variables are compared with the Access stack's outputs when
 * AWS could be read with credentials of the environment's account, else only their presence is checked.
 */
export function githubFindings(
  env: Environment,
  github: GithubState,
  aws: AwsState | undefined,
  options: AwsOptions,
): Finding[] {
  const accessOutputs = aws?.callerAccount === env.account ? aws.accessOutputs : undefined;
  const bootstrap = bootstrapCommand(env, options);
  const findings = new Findings();
  if (github.environments === undefined) {
    findings.check(false, 'GitHub side', github.unavailable ?? GH_MISSING, true);
    return findings.list;
  }
  const environment = githubEnvironment(env);
  findings.check(
    github.environments.includes(environment),
    `GitHub environment ${environment}`,
    `${bootstrap} (or Settings -> Environments -> New environment)`,
  );
  const steps = githubSteps(env, accessOutputs ?? {});
  const deployRole = accessOutputs?.[ACCESS_OUTPUTS.deployRoleArn];
  const variable = github.environmentVariables?.[environment]?.DEPLOY_ROLE_ARN;
  findings.check(
    deployRole ? variable === deployRole : variable !== undefined,
    `variable DEPLOY_ROLE_ARN of ${environment} is the Access stack's DeployRoleArn`,
    deployRole ? shellLine(steps[1]?.argv ?? []) : `deploy the Access stack first: ${bootstrap}`,
  );
  const preview = previewRoleVariable(env.name);
  findings.check(
    preview in (github.repositoryVariables ?? {}),
    `repository variable ${preview} for pull-request previews (each environment's preview role reads only its own stacks)`,
    accessOutputs ? shellLine(steps[2]?.argv ?? []) : `deploy the Access stack first: ${bootstrap}`,
    true,
  );
  if (env.smokeRunner) findings.list.push(...smokeRunnerFindings(env.smokeRunner, github.runners));
  return findings.list;
}

const GH_MISSING = 'install and sign in to the gh CLI (gh auth login) so doctor can check it';

/** github.repository of each environment against the clone's origin. */
function originFindings(config: Config, github: GithubState): Finding[] {
  const repositories = [...new Set(config.deployment.environments.map((env) => env.github.repository))];
  const remote = github.remote ? repositoryOfRemote(github.remote) : undefined;
  return repositories.map((repository) => {
    const check = `github.repository ${repository} is this clone's origin`;
    if (remote === repository) return { ok: true, check };
    return { ok: false, check, fix: originFix(github.remote, remote) };
  });
}

function originFix(url: string | undefined, remote: string | undefined): string {
  return remote
    ? `origin is ${remote}: set github.repository: ${remote} in deployment.yaml (the roles trust only that repository)`
    : `origin is ${url ?? 'not set'}, not a GitHub repository: add it (git remote add origin ...)`;
}

const plural = (names: readonly string[], one: string, many: string) => (names.length === 1 ? one : many);

/** doctor's checks that concern the repository as a whole. */
export function repositoryFindings(config: Config, github: GithubState): Finding[] {
  const findings = originFindings(config, github);
  if (!github.environments) return findings;
  const configured = new Set(config.deployment.environments.map(githubEnvironment));
  const extra = github.environments.filter((name) => !configured.has(name));
  const check = 'every GitHub environment is in deployment.yaml';
  if (extra.length === 0) return [...findings, { ok: true, check }];
  const them = plural(extra, 'it', 'them');
  return [
    ...findings,
    {
      ok: false,
      warning: true,
      check,
      fix: `${extra.join(', ')} ${plural(extra, 'is', 'are')} not in deployment.yaml: delete ${them} in Settings -> Environments, or add ${them} to deployment.yaml`,
    },
  ];
}
