// Every AWS request the workflows make (infra/permissions.ts), evaluated against the synthesized role policies of
// every environment in config/ with an offline IAM evaluator: a missing grant is an implicit deny and fails here.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Config, Environment } from '../../src/config/model.ts';
import { CDK_QUALIFIER, smokeRoleName } from '../../src/contract/names.ts';
import { ACCESS_OUTPUTS } from '../../src/contract/outputs.ts';
import { sharedAccessTemplate } from '../../test/support/aws-authorization.ts';
import { type CfnTemplate, evaluate, rolePolicies } from '../iam-evaluation.ts';
import {
  DOCS_FILE,
  environmentArns,
  extractPermissionsBlock,
  permissionsTable,
  REQUIRED_PERMISSIONS,
  type RoleKey,
} from '../permissions.ts';
import { environment, exampleConfig, REPOSITORY_ROOT, SYNTH_TIMEOUT_MS, synthesize } from './fixtures.ts';

/** CDK's bootstrap template, as the installed CLI deploys it. */
const BOOTSTRAP_TEMPLATE = resolve(
  REPOSITORY_ROOT,
  'node_modules/aws-cdk/lib/api/bootstrap/bootstrap-template.yaml',
);

let config: Config;
const templates = new Map<string, CfnTemplate>();

beforeAll(async () => {
  config = await exampleConfig();
  for (const env of config.deployment.environments) templates.set(env.name, await sharedAccessTemplate(env));
}, SYNTH_TIMEOUT_MS);

const environments = () => config.deployment.environments;
const role = (env: Environment, key: RoleKey) =>
  rolePolicies(templates.get(env.name) ?? {}, key, env.account);

describe('every AWS request of the workflows is allowed by the synthesized policy of the role that makes it', () => {
  for (const permission of REQUIRED_PERMISSIONS) {
    it(`${permission.role} role: ${permission.action} (${permission.why}; ${permission.caller})`, async () => {
      for (const env of environments()) {
        const arns = environmentArns(env);
        for (const resource of permission.resources(arns)) {
          const request = { action: permission.action, resource, context: permission.context?.(arns) };
          expect(await evaluate(role(env, permission.role), request), `${env.name}: ${resource}`).toBe(
            'Allowed',
          );
        }
      }
    });
  }
});

describe('the policies allow no more than their scope', () => {
  it('the deploy role may update the Ingress stack only as the CDK execution role, and no other stack', async () => {
    const env = environments()[0] as Environment;
    const arns = environmentArns(env);
    const deploy = role(env, 'deploy');
    const update = (resource: string, roleArn?: string) =>
      evaluate(deploy, {
        action: 'cloudformation:UpdateStack',
        resource,
        context: roleArn ? { 'cloudformation:RoleArn': roleArn } : {},
      });
    expect(await update(arns.ingressStack)).toBe('ImplicitlyDenied');
    expect(await update(arns.ingressStack, arns.bootstrapRole('deploy'))).toBe('ImplicitlyDenied');
    expect(
      await update(arns.stack(`LatticeIngress-${env.name}-Access`), arns.bootstrapRole('cfn-exec')),
    ).toBe('ImplicitlyDenied');
  });

  it('the smoke role may invoke services of the configured service network only, and nothing but read', async () => {
    const env = environments()[0] as Environment;
    const arns = environmentArns(env);
    const smoke = role(env, 'smoke');
    const invoke = (network: string) =>
      evaluate(smoke, {
        action: 'vpc-lattice-svcs:Invoke',
        resource: arns.latticeService,
        context: { 'vpc-lattice-svcs:ServiceNetworkArn': network },
      });
    expect(await invoke(arns.serviceNetwork)).toBe('Allowed');
    expect(await invoke(arns.serviceNetwork.replace(/sn-[0-9a-f]+$/, 'sn-0aaaaaaaaaaaaaaaa'))).toBe(
      'ImplicitlyDenied',
    );
    expect(await evaluate(smoke, { action: 'cloudformation:UpdateStack', resource: arns.ingressStack })).toBe(
      'ImplicitlyDenied',
    );
  });

  it('a service network shared from another account (named by ARN) scopes the smoke role exactly', async () => {
    const shared = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0123456789abcdef0';
    const env = { ...environment({ name: 'shared', mode: 'private' }), serviceNetworkId: shared };
    const smoke = rolePolicies(await sharedAccessTemplate(env), 'smoke', env.account);
    const invoke = (resource: string, network: string) =>
      evaluate(smoke, {
        action: 'vpc-lattice-svcs:Invoke',
        resource,
        context: { 'vpc-lattice-svcs:ServiceNetworkArn': network },
      });
    const service = 'arn:aws:vpc-lattice:eu-west-1:999988887777:service/svc-0123456789abcdef0/orders';
    expect(await invoke(service, shared)).toBe('Allowed');
    expect(await invoke(service, shared.replace('999988887777', '111122223333'))).toBe('ImplicitlyDenied');
  });
});

describe('parameter resolution', () => {
  // CloudFormation resolves a parameter of an SSM parameter type (AWS::SSM::Parameter::Value<...>) itself, on
  // CreateStack, UpdateStack and CreateChangeSet, reading the parameter with the credentials of the caller of that
  // operation. CDK's own bootstrap template grants its deploy role exactly this, saying why (statement ReadVersion):
  // "ssm:GetParameters # CreateChangeSet uses this to evaluate any SSM parameters (like `CdkBootstrapVersion`)".
  // Rollout and rollback call UpdateStack as the GitHub deploy role, so that role needs it too.
  it(
    'lets the role that calls UpdateStack read every SSM parameter the Ingress template resolves',
    async () => {
      const bootstrap = await readFile(BOOTSTRAP_TEMPLATE, 'utf8');
      expect(bootstrap).toContain(
        'ssm:GetParameters # CreateChangeSet uses this to evaluate any SSM parameters',
      );

      const staging = environments()[0] as Environment;
      const app = await synthesize(config);
      const parameters = (app.template(`LatticeIngress-${staging.name}-Ingress`).toJSON().Parameters ??
        {}) as Record<string, { Type: string; Default?: string }>;
      const resolvedByCloudFormation = Object.values(parameters).filter((p) =>
        p.Type.startsWith('AWS::SSM::Parameter::'),
      );
      expect(resolvedByCloudFormation.map((p) => p.Default)).toEqual([
        `/cdk-bootstrap/${CDK_QUALIFIER}/version`,
      ]);
      const arns = environmentArns(staging);
      for (const { Default: name } of resolvedByCloudFormation) {
        const resource = `arn:aws:ssm:${staging.region}:${staging.account}:parameter${name}`;
        expect(resource).toBe(arns.bootstrapVersion);
        expect(await evaluate(role(staging, 'deploy'), { action: 'ssm:GetParameters', resource })).toBe(
          'Allowed',
        );
      }
    },
    SYNTH_TIMEOUT_MS,
  );
});

describe('cdk assuming the bootstrap roles', () => {
  // The bootstrap roles trust their own account ("AssumeRole for same account": Principal AWS = the account id).
  // IAM User Guide, "Policy evaluation logic" / "Cross-account policy evaluation logic": a role whose trust policy names
  // the account, not a principal, delegates the decision to that account, so the caller's identity policy must allow
  // sts:AssumeRole on the role too; the trust policy alone admits nobody.
  it('lets the deploy role assume the deploy, file-publishing and lookup roles of the bootstrap template', async () => {
    const bootstrap = parse(await readFile(BOOTSTRAP_TEMPLATE, 'utf8')) as {
      Resources: Record<string, { Properties: { AssumeRolePolicyDocument: { Statement: unknown[] } } }>;
    };
    const env = environments()[0] as Environment;
    const arns = environmentArns(env);
    for (const [resource, purpose] of [
      ['DeploymentActionRole', 'deploy'],
      ['FilePublishingRole', 'file-publishing'],
      ['LookupRole', 'lookup'],
    ] as const) {
      const [sameAccount] =
        bootstrap.Resources[resource]?.Properties.AssumeRolePolicyDocument.Statement ?? [];
      expect(sameAccount).toMatchObject({
        Action: 'sts:AssumeRole',
        Principal: { AWS: { Ref: 'AWS::AccountId' } },
      });
      const trust = {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'sts:AssumeRole',
            Principal: { AWS: `arn:aws:iam::${env.account}:root` },
          },
        ],
      };
      const request = { action: 'sts:AssumeRole', resource: arns.bootstrapRole(purpose) };
      expect(await evaluate(role(env, 'deploy'), request, trust), purpose).toBe('Allowed');
      expect(await evaluate(role(env, 'smoke'), request, trust), purpose).toBe('ImplicitlyDenied');
    }
  });
});

describe('the preview role of pull requests', () => {
  // Anyone who can push a branch can change what a pull request's job runs, so the preview role must not reach the
  // CDK lookup role (ReadOnlyAccess on the whole account: S3 objects, DynamoDB items, logs) or any bootstrap role.
  it('may assume no bootstrap role, even one that trusts its account', async () => {
    const env = environments()[0] as Environment;
    const arns = environmentArns(env);
    const trust = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: `arn:aws:iam::${env.account}:root` } },
      ],
    };
    for (const purpose of ['lookup', 'deploy', 'file-publishing', 'cfn-exec']) {
      const request = { action: 'sts:AssumeRole', resource: arns.bootstrapRole(purpose) };
      expect(await evaluate(role(env, 'preview'), request, trust), purpose).toBe('ImplicitlyDenied');
    }
  });

  it("reads its own environment's stacks only", async () => {
    const [first, second] = environments() as [Environment, Environment];
    const getTemplate = (resource: string) =>
      evaluate(role(first, 'preview'), { action: 'cloudformation:GetTemplate', resource });
    for (const stack of environmentArns(first).stacks) expect(await getTemplate(stack)).toBe('Allowed');
    for (const stack of environmentArns(second).stacks)
      expect(await getTemplate(stack)).toBe('ImplicitlyDenied');
  });

  // How `cdk diff --no-change-set` reads a deployed template (aws/aws-cdk#18277, #29718): it tries the stack's lookup
  // role and, when credentials of the stack's account cannot assume it, proceeds with those credentials, calling
  // DescribeStacks and then GetTemplate. The installed CLI must still do so, or the plan loses its diff section.
  it('is what the installed CDK CLI falls back to when the lookup role cannot be assumed', async () => {
    const cli = await readFile(resolve(REPOSITORY_ROOT, 'node_modules/aws-cdk/lib/index.js'), 'utf8');
    expect(cli).toMatch(
      /async readCurrentTemplate\(stackArtifact\) \{[\s\S]{0,300}?accessStackForLookupBestEffort/,
    );
    expect(cli).toMatch(
      /could not be used to assume '\$\{options\.assumeRoleArn\}', but are for the right account\. Proceeding anyway\./,
    );
    expect(cli).toMatch(/const response = await cfn\.describeStacks\(\{ StackName: stackName \}\)/);
    expect(cli).toMatch(/await this\.cfn\.getTemplate\(\{\s*StackName: this\.stackName/);
  });
});

describe('smoke role', () => {
  it('has the fixed name lattice-ingress-<env>-smoke, the deploy role’s trust, and an Access stack output', () => {
    for (const env of environments()) {
      const resources = Object.values(templates.get(env.name)?.Resources ?? {});
      const roles = resources.filter((r) => r.Type === 'AWS::IAM::Role');
      const deploy = roles.find((r) =>
        String(r.Properties?.Description).startsWith('GitHub Actions deployments'),
      );
      const smoke = roles.find((r) => r.Properties?.RoleName === smokeRoleName(env));
      expect(smoke, env.name).toBeDefined();
      expect(smokeRoleName(env)).toBe(`lattice-ingress-${env.name}-smoke`);
      expect(smoke?.Properties?.AssumeRolePolicyDocument).toEqual(
        deploy?.Properties?.AssumeRolePolicyDocument,
      );
      const outputs = (templates.get(env.name) as { Outputs?: Record<string, unknown> }).Outputs ?? {};
      expect(outputs).toHaveProperty(ACCESS_OUTPUTS.smokeRoleArn);
    }
  });
});

describe('docs/infrastructure.md "Permissions"', () => {
  it('shows exactly the table the tests evaluate', async () => {
    const documented = extractPermissionsBlock(await readFile(DOCS_FILE, 'utf8'));
    expect(documented, 'run `npx tsx infra/permissions.ts --write-docs`').toBe(permissionsTable());
  });
});
