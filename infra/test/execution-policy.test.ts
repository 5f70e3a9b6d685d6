// The shipped CloudFormation execution policy (infra/execution-policy.json) against every stack with every option
// on: each resource type belongs to a service it allows, and IAM is allowed exactly on the roles the stacks create.
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  executionPolicy,
  NO_PERMISSION_TYPES,
  POLICY_FILE,
  ROLE_NAME_PATTERNS,
  SERVICES,
} from '../execution-policy.ts';
import { evaluate, type RolePolicies } from '../iam-evaluation.ts';
import {
  everyOptionEnvironment,
  exampleConfig,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthesize,
  withEnvironments,
} from './fixtures.ts';

const ACCOUNT = '111122223333';
const EVERY_OPTION = everyOptionEnvironment();

let app: Synthesized;
const executionRole: RolePolicies = {
  roleArn: `arn:aws:iam::${ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${ACCOUNT}-eu-west-1`,
  account: ACCOUNT,
  policies: [{ name: 'lattice-ingress-cfn-exec', policy: executionPolicy() }],
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;
const everyResource = () =>
  app.stackNames().flatMap((stack) =>
    Object.entries((app.template(stack).toJSON().Resources ?? {}) as Resources).map(([id, r]) => ({
      stack,
      id,
      ...r,
    })),
  );

beforeAll(async () => {
  app = await synthesize(withEnvironments(await exampleConfig(), [EVERY_OPTION]));
}, SYNTH_TIMEOUT_MS);

describe('CloudFormation execution policy', () => {
  it('is the committed infra/execution-policy.json', async () => {
    const committed: unknown = JSON.parse(await readFile(POLICY_FILE, 'utf8'));
    expect(committed, 'run `npx tsx infra/execution-policy.ts --write`').toEqual(executionPolicy());
  });

  it('allows the service of every resource type the stacks create', async () => {
    const types = [...new Set(everyResource().map((r) => r.Type))].filter(
      (type) => type !== 'AWS::IAM::Role' && type !== 'AWS::IAM::Policy' && type !== 'AWS::IAM::OIDCProvider',
    );
    const uncovered = types.filter(
      (type) =>
        !NO_PERMISSION_TYPES.some((prefix) => type.startsWith(prefix)) &&
        !SERVICES[type.split('::').slice(0, 2).join('::')],
    );
    expect(uncovered, 'add the namespace to SERVICES in infra/execution-policy.ts').toEqual([]);
    for (const action of [
      'ec2:CreateTransitGatewayVpcAttachment',
      'ecs:CreateService',
      'vpc-lattice:CreateServiceNetworkVpcAssociation',
      'route53:AssociateVPCWithHostedZone',
    ]) {
      expect(await evaluate(executionRole, { action, resource: '*' }), action).toBe('Allowed');
    }
  });

  // CloudFormation names a role without RoleName "<stack name>-<logical id>-<random suffix>" (at most 64 characters,
  // the stack name first), so a pattern on the stack name covers every generated role.
  it('allows IAM on every role the stacks create, passing it, and the GitHub OIDC provider, and nothing else', async () => {
    const roles = everyResource().filter((r) => r.Type === 'AWS::IAM::Role');
    expect(roles.length).toBeGreaterThan(3);
    for (const role of roles) {
      const name =
        (role.Properties?.RoleName as string | undefined) ??
        `${`${role.stack}-${role.id}`.slice(0, 51)}-ABCDEFGHIJKL`;
      expect(
        ROLE_NAME_PATTERNS.some((p) => new RegExp(`^${p.replace('*', '.*')}$`).test(name)),
        name,
      ).toBe(true);
      for (const action of ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:AttachRolePolicy', 'iam:PassRole']) {
        const request = { action, resource: `arn:aws:iam::${ACCOUNT}:role/${name}` };
        expect(await evaluate(executionRole, request), `${action} ${name}`).toBe('Allowed');
      }
    }
    const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    expect(
      await evaluate(executionRole, { action: 'iam:CreateOpenIDConnectProvider', resource: provider }),
    ).toBe('Allowed');
    // Not an administrator: no other role, no users.
    for (const [action, resource] of [
      ['iam:CreateRole', `arn:aws:iam::${ACCOUNT}:role/Admin`],
      ['iam:PassRole', `arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole`],
      ['iam:CreateUser', `arn:aws:iam::${ACCOUNT}:user/someone`],
      ['s3:GetObject', 'arn:aws:s3:::someone-elses-bucket/secret'],
    ] as const) {
      expect(await evaluate(executionRole, { action, resource }), `${action} ${resource}`).toBe(
        'ImplicitlyDenied',
      );
    }
  });
});
