// The first day, as data: which commands bootstrap runs in which order, and what doctor finds wrong, computed from
// the configuration and the state observed in AWS, GitHub and git. No I/O here; ./observe.ts gathers the state and
// runs the commands.

import { type Config, type Environment, githubEnvironment } from '../../config/model.ts';
import {
  CDK_QUALIFIER,
  GITHUB_OIDC_HOST,
  githubProviderArn,
  partitionOf,
  previewRoleVariable,
  stackNames,
} from '../../contract/names.ts';
import { ACCESS_OUTPUTS } from '../../contract/outputs.ts';

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
}

export interface Finding {
  ok: boolean;
  check: string;
  /** Present when not ok. */
  fix?: string;
  /** A warning does not fail doctor. */
  warning?: boolean;
}

/** doctor's checks of one environment. */
export function environmentFindings(
  env: Environment,
  aws: AwsState,
  github: GithubState,
  options: AwsOptions,
): Finding[] {
  const bootstrap = `lattice-ingress bootstrap --env ${env.name}${options.profile ? ` --profile ${options.profile}` : ''}`;
  const findings: Finding[] = [];
  const check = (ok: boolean, what: string, fix: string, warning = false) =>
    findings.push(ok ? { ok, check: what } : { ok, check: what, fix, ...(warning ? { warning } : {}) });

  const credentialsOk = aws.callerAccount === env.account;
  check(
    credentialsOk,
    `credentials for account ${env.account}`,
    aws.callerAccount
      ? `these are for ${aws.callerAccount}: pass --profile with a profile of ${env.account}`
      : 'sign in (aws sso login, or export AWS_PROFILE), or pass --profile',
  );
  if (!credentialsOk) return findings;
  check(
    aws.providers.includes(env.github.oidcProviderArn ?? providerArn(env)),
    `GitHub OIDC provider in account ${env.account}`,
    env.github.oidcProviderArn
      ? `deployment.yaml names ${env.github.oidcProviderArn}, which does not exist: correct github.oidcProviderArn`
      : bootstrap,
  );
  check(aws.bootstrapped, `CDK bootstrap in ${env.region}`, bootstrap);
  check(aws.accessOutputs !== undefined, `stack ${stackNames(env).access}`, bootstrap);
  const environment = githubEnvironment(env);
  const subject = `repo:${env.github.repository}:environment:${environment}`;
  if (aws.accessOutputs) {
    check(
      aws.deployRoleTrust?.includes(`"${subject}"`) ?? false,
      `deploy role trusts ${subject}`,
      `the role was deployed for another repository or environment: fix github in deployment.yaml, then ${bootstrap}`,
    );
  }

  if (github.environments === undefined) {
    check(
      false,
      'GitHub side',
      'install and sign in to the gh CLI (gh auth login) so doctor can check it',
      true,
    );
    return findings;
  }
  check(
    github.environments.includes(environment),
    `GitHub environment ${environment}`,
    `${bootstrap} (or Settings -> Environments -> New environment)`,
  );
  const deployRole = aws.accessOutputs?.[ACCESS_OUTPUTS.deployRoleArn];
  const variables = github.environmentVariables?.[environment] ?? {};
  check(
    deployRole !== undefined && variables.DEPLOY_ROLE_ARN === deployRole,
    `variable DEPLOY_ROLE_ARN of ${environment} is the Access stack's DeployRoleArn`,
    deployRole
      ? shellLine(githubSteps(env, aws.accessOutputs ?? {})[1]?.argv ?? [])
      : `deploy the Access stack first: ${bootstrap}`,
  );
  const preview = previewRoleVariable(env.name);
  const repositoryVariables = github.repositoryVariables ?? {};
  check(
    preview in repositoryVariables,
    `repository variable ${preview} for pull-request previews (each environment's preview role reads only its own stacks)`,
    aws.accessOutputs
      ? shellLine(githubSteps(env, aws.accessOutputs)[2]?.argv ?? [])
      : `deploy the Access stack first: ${bootstrap}`,
    true,
  );
  return findings;
}

/** doctor's checks that concern the repository as a whole. */
export function repositoryFindings(config: Config, github: GithubState): Finding[] {
  const findings: Finding[] = [];
  const repositories = [...new Set(config.deployment.environments.map((env) => env.github.repository))];
  const remote = github.remote ? repositoryOfRemote(github.remote) : undefined;
  for (const repository of repositories) {
    findings.push(
      remote === repository
        ? { ok: true, check: `github.repository ${repository} is this clone's origin` }
        : {
            ok: false,
            check: `github.repository ${repository} is this clone's origin`,
            fix: remote
              ? `origin is ${remote}: set github.repository: ${remote} in deployment.yaml (the roles trust only that repository)`
              : `origin is ${github.remote ?? 'not set'}, not a GitHub repository: add it (git remote add origin ...)`,
          },
    );
  }
  if (github.environments) {
    const configured = new Set(config.deployment.environments.map(githubEnvironment));
    const extra = github.environments.filter((name) => !configured.has(name));
    findings.push(
      extra.length === 0
        ? { ok: true, check: 'every GitHub environment is in deployment.yaml' }
        : {
            ok: false,
            warning: true,
            check: 'every GitHub environment is in deployment.yaml',
            fix: `${extra.join(', ')} ${extra.length === 1 ? 'is' : 'are'} not in deployment.yaml: delete ${extra.length === 1 ? 'it' : 'them'} in Settings -> Environments, or add ${extra.length === 1 ? 'it' : 'them'} to deployment.yaml`,
          },
    );
  }
  return findings;
}
