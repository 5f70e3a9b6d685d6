// bootstrap's and doctor's decisions, from configuration and observed state alone.
import { describe, expect, it } from 'vitest';
import { environment, withEnvironments } from '../../infra/test/fixtures.ts';
import type { Finding } from '../../src/bootstrap-plan/finding.ts';
import {
  type AwsOptions,
  type AwsState,
  awsFindings,
  awsSteps,
  bootstrapProblems,
  checkoutProblems,
  type GithubState,
  githubFindings,
  githubSteps,
  providerArn,
  repositoryFindings,
  repositoryOfRemote,
  shellLine,
} from '../../src/bootstrap-plan/plan.ts';
import { MIN_RUNNER_VERSION_FOR_NODE24, smokeRunnerFindings } from '../../src/bootstrap-plan/smoke-runner.ts';
import type { Config, Environment } from '../../src/config/model.ts';
import { parse } from '../config/sources.ts';

const base = parse().config as Config;

/** One environment's findings in doctor's order: AWS, then GitHub. */
function environmentFindings(
  env: Environment,
  aws: AwsState,
  github: GithubState,
  options: AwsOptions,
): Finding[] {
  return [...awsFindings(env, aws, options), ...githubFindings(env, github, aws, options)];
}

const staging = environment({ name: 'staging', mode: 'private', account: '111122223333' });
const production = environment({ name: 'production', mode: 'public', account: '111122223333' });
const config = withEnvironments(base, [staging, production]);
const PROVIDER = providerArn(staging);
const OUTPUTS = {
  DeployRoleArn: 'arn:aws:iam::111122223333:role/LatticeIngress-staging-Access-Deploy',
  PreviewRoleArn: 'arn:aws:iam::111122223333:role/LatticeIngress-staging-Access-Preview',
};
const TRUST = JSON.stringify({
  Statement: [
    {
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:sub': 'repo:example-org/lattice-ingress:environment:staging',
        },
      },
    },
  ],
});

const fresh: AwsState = {
  callerAccount: '111122223333',
  providers: [],
  executionPolicyExists: true,
  bootstrapped: false,
};
const done: AwsState = {
  ...fresh,
  providers: [PROVIDER],
  bootstrapped: true,
  accessOutputs: OUTPUTS,
  deployRoleTrust: TRUST,
};

describe('bootstrap plan', () => {
  it('bootstraps CDK with the scoped execution policy, then deploys the Access stack, with the profile', () => {
    expect(awsSteps(staging, { profile: 'admin' }).map((step) => shellLine(step.argv))).toEqual([
      'cdk bootstrap aws://111122223333/eu-west-1 --qualifier hnb659fds --cloudformation-execution-policies arn:aws:iam::111122223333:policy/LatticeIngressCdkExecution --profile admin',
      'cdk deploy LatticeIngress-staging-Access --exclusively --profile admin',
    ]);
    expect(
      awsSteps(staging, { executionPolicy: 'arn:aws:iam::111122223333:policy/Mine' })[0]?.argv,
    ).toContain('arn:aws:iam::111122223333:policy/Mine');
  });

  it('has nothing against a fresh account with credentials and the policy', () => {
    expect(bootstrapProblems(config, staging, fresh, {})).toEqual([]);
  });

  it('stops without credentials, or with credentials of another account', () => {
    expect(
      bootstrapProblems(config, staging, { ...fresh, callerAccount: undefined }, { profile: 'p' }),
    ).toEqual([expect.objectContaining({ what: 'no AWS credentials (profile p)' })]);
    expect(bootstrapProblems(config, staging, { ...fresh, callerAccount: '999988887777' }, {})).toEqual([
      expect.objectContaining({
        what: 'the credentials are for account 999988887777; staging is in 111122223333',
      }),
    ]);
  });

  it('stops when the execution policy is missing', () => {
    expect(bootstrapProblems(config, staging, { ...fresh, executionPolicyExists: false }, {})[0]?.what).toBe(
      'the CDK execution policy arn:aws:iam::111122223333:policy/LatticeIngressCdkExecution does not exist',
    );
  });

  it('reuses an OIDC provider that exists outside this repository: names the line to add', () => {
    const problems = bootstrapProblems(config, staging, { ...fresh, providers: [PROVIDER] }, {});
    expect(problems).toHaveLength(1);
    expect(problems[0]?.fix).toBe(
      `reuse it: add "oidcProviderArn: ${PROVIDER}" under github: of every environment in account 111122223333 in deployment.yaml`,
    );
    // Not a problem once the stack exists (it made the provider), nor when deployment.yaml names it.
    expect(bootstrapProblems(config, staging, { ...done }, {})).toEqual([]);
    const named: Environment = { ...staging, github: { ...staging.github, oidcProviderArn: PROVIDER } };
    expect(
      bootstrapProblems(withEnvironments(base, [named]), named, { ...fresh, providers: [PROVIDER] }, {}),
    ).toEqual([]);
  });

  it('bootstraps the first environment of an account before the ones that reuse its provider', () => {
    expect(bootstrapProblems(config, production, fresh, {})).toEqual([
      {
        what: 'production reuses the GitHub OIDC provider of staging, which does not exist yet',
        fix: 'bootstrap staging first: lattice-ingress bootstrap --env staging',
      },
    ]);
  });

  it('sets up the GitHub environment and both variables from the Access stack outputs', () => {
    expect(githubSteps(staging, OUTPUTS).map((step) => shellLine(step.argv))).toEqual([
      "gh api --method PUT repos/example-org/lattice-ingress/environments/staging -F 'deployment_branch_policy[protected_branches]=true' -F 'deployment_branch_policy[custom_branch_policies]=false'",
      `gh variable set DEPLOY_ROLE_ARN --env staging --body ${OUTPUTS.DeployRoleArn} --repo example-org/lattice-ingress`,
      `gh variable set PREVIEW_ROLE_ARN_STAGING --body ${OUTPUTS.PreviewRoleArn} --repo example-org/lattice-ingress`,
    ]);
  });
});

describe('shellLine', () => {
  it('quotes what a shell would change, and nothing else', () => {
    expect(shellLine(['echo', 'a b', "it's", 'x[1]=2', 'plain-arg/1.0'])).toBe(
      `echo 'a b' 'it'\\''s' 'x[1]=2' plain-arg/1.0`,
    );
  });
});

describe('doctor', () => {
  const github = {
    remote: 'git@github.com:example-org/lattice-ingress.git',
    environments: ['staging', 'production'],
    environmentVariables: { staging: { DEPLOY_ROLE_ARN: OUTPUTS.DeployRoleArn } },
    repositoryVariables: { PREVIEW_ROLE_ARN_STAGING: OUTPUTS.PreviewRoleArn },
  };

  it('reads owner/name from https and ssh remotes of GitHub only', () => {
    expect(repositoryOfRemote('https://github.com/o/r.git')).toBe('o/r');
    expect(repositoryOfRemote('https://github.com/o/r')).toBe('o/r');
    expect(repositoryOfRemote('git@github.com:o/r.git\n')).toBe('o/r');
    expect(repositoryOfRemote('ssh://git@github.com/o/r.git')).toBe('o/r');
    expect(repositoryOfRemote('https://gitlab.com/o/r.git')).toBeUndefined();
  });

  it('passes an environment that is set up', () => {
    const findings = environmentFindings(staging, done, github, {});
    expect(findings.filter((finding) => !finding.ok)).toEqual([]);
    expect(findings.map((finding) => finding.check)).toEqual([
      'credentials for account 111122223333',
      'GitHub OIDC provider in account 111122223333',
      'CDK bootstrap in eu-west-1',
      'stack LatticeIngress-staging-Access',
      'deploy role trusts repo:example-org/lattice-ingress:environment:staging',
      'GitHub environment staging',
      "variable DEPLOY_ROLE_ARN of staging is the Access stack's DeployRoleArn",
      "repository variable PREVIEW_ROLE_ARN_STAGING for pull-request previews (each environment's preview role reads only its own stacks)",
    ]);
  });

  it('gives the gh command that sets a missing or stale DEPLOY_ROLE_ARN', () => {
    const stale = {
      ...github,
      environmentVariables: { staging: { DEPLOY_ROLE_ARN: 'arn:aws:iam::1:role/old' } },
    };
    const failed = environmentFindings(staging, done, stale, {}).filter((finding) => !finding.ok);
    expect(failed).toEqual([
      {
        ok: false,
        check: "variable DEPLOY_ROLE_ARN of staging is the Access stack's DeployRoleArn",
        fix: `gh variable set DEPLOY_ROLE_ARN --env staging --body ${OUTPUTS.DeployRoleArn} --repo example-org/lattice-ingress`,
      },
    ]);
  });

  it('points a role deployed for another repository or environment at deployment.yaml', () => {
    const failed = environmentFindings(
      staging,
      { ...done, deployRoleTrust: TRUST.replace(':staging', ':prod') },
      github,
      {},
    );
    expect(failed.find((finding) => !finding.ok)?.check).toBe(
      'deploy role trusts repo:example-org/lattice-ingress:environment:staging',
    );
  });

  it('sends a fresh account to bootstrap, with the profile', () => {
    const fixes = environmentFindings(staging, fresh, { ...github, environments: [] }, { profile: 'admin' })
      .filter((finding) => !finding.ok && !finding.warning)
      .map((finding) => finding.fix);
    expect(fixes).toContain('lattice-ingress bootstrap --env staging --profile admin');
  });

  it('stops the AWS checks at credentials of another account, and still checks GitHub', () => {
    const findings = environmentFindings(staging, { ...fresh, callerAccount: '999988887777' }, github, {});
    expect(findings[0]).toEqual({
      ok: false,
      check: 'credentials for account 111122223333',
      fix: 'these are for 999988887777: pass --profile with a profile of 111122223333',
    });
    expect(findings.slice(1).map((finding) => finding.check)).toContain('GitHub environment staging');
  });

  it('warns, without failing, that GitHub cannot be checked without gh', () => {
    const findings = environmentFindings(staging, done, { remote: github.remote }, {});
    expect(findings.at(-1)).toMatchObject({ ok: false, warning: true, check: 'GitHub side' });
  });

  it('compares github.repository with the origin remote, and GitHub environments with deployment.yaml', () => {
    expect(repositoryFindings(config, github).every((finding) => finding.ok)).toBe(true);
    const other = repositoryFindings(config, {
      ...github,
      remote: 'https://github.com/acme/edge.git',
      environments: ['staging', 'production', 'qa'],
    });
    expect(other).toEqual([
      {
        ok: false,
        check: "github.repository example-org/lattice-ingress is this clone's origin",
        fix: 'origin is acme/edge: set github.repository: acme/edge in deployment.yaml (the roles trust only that repository)',
      },
      {
        ok: false,
        warning: true,
        check: 'every GitHub environment is in deployment.yaml',
        fix: 'qa is not in deployment.yaml: delete it in Settings -> Environments, or add it to deployment.yaml',
      },
    ]);
  });
});

describe('before bootstrap touches AWS', () => {
  it('refuses a configuration whose repository is not this clone, with the line to write', () => {
    const problems = checkoutProblems(staging, {
      remote: 'git@github.com:acme/ingress.git',
      missingTools: [],
    });
    expect(problems).toEqual([
      {
        what: expect.stringContaining(
          "github.repository of staging is example-org/lattice-ingress, but this clone's origin is acme/ingress",
        ),
        fix: 'set github.repository: acme/ingress in deployment.yaml (or run bootstrap from a clone of example-org/lattice-ingress)',
      },
    ]);
    expect(
      checkoutProblems(staging, {
        remote: 'https://github.com/example-org/lattice-ingress.git',
        missingTools: [],
      }),
    ).toEqual([]);
  });

  it('names a missing program and how to get it', () => {
    const [problem] = checkoutProblems(staging, {
      remote: 'https://github.com/example-org/lattice-ingress',
      missingTools: ['cdk'],
    });
    expect(problem?.what).toBe('cdk is not installed (not on PATH, not in node_modules/.bin)');
    expect(problem?.fix).toContain('npm ci');
  });
});

describe('smoke runner', () => {
  const online = { name: 'vpn-runner-1', status: 'online', labels: ['self-hosted', 'lattice-smoke'] };

  it('fails when no runner has the label, and names the minimum version', () => {
    const [finding] = smokeRunnerFindings('lattice-smoke', []);
    expect(finding).toMatchObject({ ok: false });
    expect(finding?.fix).toContain(
      `--labels lattice-smoke, version ${MIN_RUNNER_VERSION_FOR_NODE24} or newer`,
    );
  });

  it('fails when the runners with the label are offline', () => {
    const [finding] = smokeRunnerFindings('lattice-smoke', [{ ...online, status: 'offline' }]);
    expect(finding).toMatchObject({ ok: false, fix: expect.stringContaining('vpn-runner-1 is offline') });
  });

  it('passes an online runner and warns that its version is checked on its host', () => {
    expect(smokeRunnerFindings('lattice-smoke', [online])).toEqual([
      { ok: true, check: 'self-hosted smoke runner "lattice-smoke" is online (vpn-runner-1)' },
      expect.objectContaining({ ok: false, warning: true, fix: expect.stringContaining('2.327.1 or newer') }),
    ]);
  });
});
