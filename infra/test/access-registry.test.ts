// Access (GitHub OIDC provider and roles) and Registry (ECR) stacks.
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { githubProviderArn, repositoryName } from '../../src/contract/names.ts';
import { ACCESS_OUTPUTS, REGISTRY_OUTPUTS } from '../../src/contract/outputs.ts';
import { KEEP_DEPLOYED_IMAGES } from '../constructs/registry.ts';
import {
  environment,
  exampleConfig,
  propertiesOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthesize,
  withEnvironments,
} from './fixtures.ts';

const CONFIGURED_PROVIDER = 'arn:aws:iam::444455556666:oidc-provider/token.actions.githubusercontent.com';
const STAGING = environment({ name: 'staging', mode: 'private' });
const ENVIRONMENTS = [
  STAGING,
  // Same account as staging: reuses the provider staging creates.
  environment({
    name: 'canary',
    mode: 'private',
    github: { repository: 'example-org/lattice-ingress', environment: 'canary-approval' },
  }),
  environment({
    name: 'production',
    mode: 'both',
    account: '444455556666',
    github: { repository: 'example-org/lattice-ingress', oidcProviderArn: CONFIGURED_PROVIDER },
  }),
];

let app: Synthesized;
const access = (name: string) => app.template(`LatticeIngress-${name}-Access`);

type Statement = {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: unknown;
};
function statements(name: string, policy: 'DeployPolicy' | 'PreviewPolicy'): Statement[] {
  const policies = resourcesOf(access(name), 'AWS::IAM::Policy').filter(([id]) => id.includes(policy));
  expect(policies).toHaveLength(1);
  return (propertiesOf(access(name), 'AWS::IAM::Policy', policy).PolicyDocument as { Statement: Statement[] })
    .Statement;
}
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

function trust(name: string, role: 'DeployRole' | 'PreviewRole') {
  const props = propertiesOf(access(name), 'AWS::IAM::Role', role);
  return (props.AssumeRolePolicyDocument as { Statement: Statement[] }).Statement;
}

beforeAll(async () => {
  app = await synthesize(withEnvironments(await exampleConfig(), ENVIRONMENTS));
}, SYNTH_TIMEOUT_MS);

describe('GitHub OIDC access', () => {
  it('creates the provider once per account, and imports an existing or configured one', () => {
    access('staging').hasResourceProperties('AWS::IAM::OIDCProvider', {
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
    access('canary').resourceCountIs('AWS::IAM::OIDCProvider', 0);
    access('production').resourceCountIs('AWS::IAM::OIDCProvider', 0);
    expect(JSON.stringify(trust('canary', 'DeployRole'))).toContain(
      githubProviderArn('111122223333', 'eu-west-1'),
    );
    expect(JSON.stringify(trust('production', 'DeployRole'))).toContain(CONFIGURED_PROVIDER);
  });

  it('trusts the deploy role only for the audience and this repository environment', () => {
    for (const [name, githubEnv] of [
      ['staging', 'staging'],
      ['canary', 'canary-approval'],
    ]) {
      const [statement, ...others] = trust(name as string, 'DeployRole');
      expect(others).toEqual([]);
      expect(statement).toMatchObject({
        Effect: 'Allow',
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
            'token.actions.githubusercontent.com:sub': `repo:example-org/lattice-ingress:environment:${githubEnv}`,
          },
        },
      });
      expect(Object.keys(statement?.Condition as object)).toEqual(['StringEquals']);
      expect(JSON.stringify(statement)).not.toMatch(/\*/);
    }
  });

  it('lets a deploy session last two hours, as the deploy workflow asks for', () => {
    expect(propertiesOf(access('staging'), 'AWS::IAM::Role', 'DeployRole').MaxSessionDuration).toBe(7200);
  });

  it('binds the read-only preview role to pull requests of this repository', () => {
    const [statement] = trust('staging', 'PreviewRole');
    expect(statement?.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:example-org/lattice-ingress:pull_request',
      },
    });
    const actions = statements('staging', 'PreviewPolicy').flatMap((s) => list(s.Action));
    // Reading its own stacks only: no role to assume (the CDK lookup role reads the whole account).
    expect(actions.filter((a) => !/^cloudformation:(Describe|Get|List)/.test(a))).toEqual([]);
  });

  it('grants no wildcard action and no admin policy anywhere', () => {
    for (const stackName of app.stackNames()) {
      const template = app.template(stackName);
      for (const type of ['AWS::IAM::Policy', 'AWS::IAM::Role', 'AWS::IAM::ManagedPolicy']) {
        for (const [, props] of resourcesOf(template, type)) {
          const json = JSON.stringify(props);
          expect(json).not.toMatch(/"Action":"\*"|"Action":\["\*"\]|"[a-z0-9-]+:\*"/);
          expect(json).not.toMatch(/AdministratorAccess|PowerUserAccess/);
        }
      }
    }
  });

  it("lets the deploy role assume only this account and Region's CDK bootstrap roles", () => {
    const statement = statements('staging', 'DeployPolicy').find((s) => s.Sid === 'AssumeCdkBootstrapRoles');
    expect(statement?.Resource).toBe(
      'arn:aws:iam::111122223333:role/cdk-hnb659fds-*-role-111122223333-eu-west-1',
    );
  });

  it("lets the deploy role push and pull only this environment's repository", () => {
    const ecr = statements('staging', 'DeployPolicy').filter((s) =>
      list(s.Action).some((a) => a.startsWith('ecr:')),
    );
    const scoped = ecr.filter((s) => list(s.Action).includes('ecr:PutImage'));
    expect(scoped.map((s) => s.Resource)).toEqual([
      `arn:aws:ecr:eu-west-1:111122223333:repository/${repositoryName(STAGING)}`,
    ]);
    const unscoped = ecr.filter((s) => s.Resource === '*').flatMap((s) => list(s.Action));
    expect(unscoped).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('lets the deploy role update only the Ingress stack, through the CDK execution role', () => {
    const deploy = statements('staging', 'DeployPolicy');
    const writes = deploy.filter((s) =>
      list(s.Action).some((a) => /^cloudformation:(Update|Create|Delete|Execute|Set)/.test(a)),
    );
    expect(writes).toEqual([
      expect.objectContaining({
        Action: 'cloudformation:UpdateStack',
        Resource: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/LatticeIngress-staging-Ingress/*',
        Condition: {
          StringEquals: {
            'cloudformation:RoleArn':
              'arn:aws:iam::111122223333:role/cdk-hnb659fds-cfn-exec-role-111122223333-eu-west-1',
          },
        },
      }),
    ]);
    const passRole = deploy.find((s) => s.Action === 'iam:PassRole');
    expect(passRole?.Condition).toEqual({
      StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
    });
  });

  it('lets the deploy role read only this service, its tasks and its deployments', () => {
    const ecs = statements('staging', 'DeployPolicy').filter((s) =>
      list(s.Action).some((a) => a.startsWith('ecs:')),
    );
    const actions = ecs.flatMap((s) => list(s.Action));
    expect(actions.filter((a) => !/^(ecs|elasticloadbalancing):(Describe|List)/.test(a))).toEqual([]);
    for (const statement of ecs) {
      const scope =
        statement.Resource === '*'
          ? JSON.stringify(statement.Condition ?? {})
          : list(statement.Resource).join();
      if (list(statement.Action).includes('ecs:DescribeTaskDefinition')) continue; // no resource-level permissions
      expect(scope).toContain('lattice-ingress-staging');
    }
  });

  it('outputs the role ARNs for the GitHub environment settings', () => {
    access('staging').hasOutput(ACCESS_OUTPUTS.deployRoleArn, {
      Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeployRole'), 'Arn'] },
    });
    access('staging').hasOutput(ACCESS_OUTPUTS.previewRoleArn, Match.anyValue());
  });
});

describe('registry', () => {
  it('creates the environment repository: immutable tags, scan on push, encrypted, kept on stack deletion', () => {
    const template = app.template('LatticeIngress-staging-Registry');
    template.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: {
        RepositoryName: 'lattice-ingress-staging',
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        EncryptionConfiguration: { EncryptionType: 'KMS' },
      },
    });
    template.hasOutput(REGISTRY_OUTPUTS.repositoryUri, Match.anyValue());
  });

  it('expires untagged images after a day and deployed (git-) images only beyond the rollback window', () => {
    const props = propertiesOf(app.template('LatticeIngress-staging-Registry'), 'AWS::ECR::Repository');
    const rules = JSON.parse((props.LifecyclePolicy as { LifecyclePolicyText: string }).LifecyclePolicyText)
      .rules as { rulePriority: number; selection: Record<string, unknown> }[];
    const byPriority = rules.sort((a, b) => a.rulePriority - b.rulePriority).map((r) => r.selection);
    expect(byPriority[0]).toMatchObject({
      tagStatus: 'untagged',
      countType: 'sinceImagePushed',
      countNumber: 1,
    });
    expect(byPriority[1]).toMatchObject({
      tagStatus: 'tagged',
      tagPrefixList: ['git-'],
      countType: 'imageCountMoreThan',
      countNumber: KEEP_DEPLOYED_IMAGES,
    });
    // No rule ages out tagged images: a rollback target never disappears because of its age.
    expect(
      rules.filter(
        (r) => r.selection.tagStatus !== 'untagged' && r.selection.countType === 'sinceImagePushed',
      ),
    ).toEqual([]);
  });
});
