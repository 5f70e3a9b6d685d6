// A scoped policy for the CDK bootstrap CloudFormation execution role, instead of CDK's default AdministratorAccess:
// the services the stacks' resource types belong to, IAM only for the roles these stacks create, the GitHub OIDC
// provider, and CDK's asset bucket. infra/test/execution-policy.test.ts checks it against every synthesized template.
//   npx tsx infra/execution-policy.ts          print the policy
//   npx tsx infra/execution-policy.ts --write  refresh infra/execution-policy.json
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CDK_QUALIFIER } from '../src/contract/names.ts';

/** CloudFormation namespace of the resource types the stacks create -> the IAM service prefix that manages them. */
export const SERVICES: Record<string, string> = {
  'AWS::ApplicationAutoScaling': 'application-autoscaling',
  'AWS::CertificateManager': 'acm',
  'AWS::CloudWatch': 'cloudwatch',
  'AWS::EC2': 'ec2',
  'AWS::ECR': 'ecr',
  'AWS::ECS': 'ecs',
  'AWS::ElasticLoadBalancingV2': 'elasticloadbalancing',
  'AWS::Lambda': 'lambda',
  'AWS::Logs': 'logs',
  'AWS::Route53': 'route53',
  'AWS::Route53Resolver': 'route53resolver',
  'AWS::SNS': 'sns',
  'AWS::VpcLattice': 'vpc-lattice',
};

/** Resource types that need no permission of their own: CDK's metadata, and custom resources (a Lambda invoke). */
export const NO_PERMISSION_TYPES = ['AWS::CDK::Metadata', 'Custom::'];

/** Physical names of the roles the stacks create: generated (`<stack name>-<logical id>-<suffix>`) or fixed. */
export const ROLE_NAME_PATTERNS = ['LatticeIngress-*', 'lattice-ingress-*'];

const ROLE_ACTIONS = [
  'iam:AttachRolePolicy',
  'iam:CreateRole',
  'iam:DeleteRole',
  'iam:DeleteRolePolicy',
  'iam:DetachRolePolicy',
  'iam:GetRole',
  'iam:GetRolePolicy',
  'iam:ListAttachedRolePolicies',
  'iam:ListRolePolicies',
  'iam:ListRoleTags',
  'iam:PassRole',
  'iam:PutRolePolicy',
  'iam:TagRole',
  'iam:UntagRole',
  'iam:UpdateAssumeRolePolicy',
  'iam:UpdateRole',
  'iam:UpdateRoleDescription',
];

const OIDC_PROVIDER_ACTIONS = [
  'iam:AddClientIDToOpenIDConnectProvider',
  'iam:CreateOpenIDConnectProvider',
  'iam:DeleteOpenIDConnectProvider',
  'iam:GetOpenIDConnectProvider',
  'iam:RemoveClientIDFromOpenIDConnectProvider',
  'iam:TagOpenIDConnectProvider',
  'iam:UntagOpenIDConnectProvider',
  'iam:UpdateOpenIDConnectProviderThumbprint',
];

export function executionPolicy() {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ServicesOfTheStacks',
        Effect: 'Allow',
        Action: [...new Set(Object.values(SERVICES))].sort().map((prefix) => `${prefix}:*`),
        Resource: '*',
      },
      {
        Sid: 'RolesOfTheStacks',
        Effect: 'Allow',
        Action: ROLE_ACTIONS,
        Resource: ROLE_NAME_PATTERNS.map((name) => `arn:aws:iam::*:role/${name}`),
      },
      {
        Sid: 'GitHubOidcProvider',
        Effect: 'Allow',
        Action: OIDC_PROVIDER_ACTIONS,
        Resource: 'arn:aws:iam::*:oidc-provider/token.actions.githubusercontent.com',
      },
      {
        Sid: 'ServiceLinkedRoles',
        Effect: 'Allow',
        Action: 'iam:CreateServiceLinkedRole',
        Resource: 'arn:aws:iam::*:role/aws-service-role/*',
      },
      {
        // Lambda reads function code from the bootstrap bucket with the credentials of whoever creates the function.
        Sid: 'CdkAssets',
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::cdk-${CDK_QUALIFIER}-assets-*/*`,
      },
      {
        // The image repository is encrypted with the AWS managed key aws/ecr; ECR creates grants on it for the caller.
        Sid: 'EcrRepositoryEncryption',
        Effect: 'Allow',
        Action: ['kms:CreateGrant', 'kms:DescribeKey', 'kms:RetireGrant'],
        Resource: '*',
        Condition: { StringLike: { 'kms:ViaService': 'ecr.*.amazonaws.com' } },
      },
    ],
  };
}

export const POLICY_FILE = resolve(dirname(fileURLToPath(import.meta.url)), 'execution-policy.json');

export function policyFileText(): string {
  return `${JSON.stringify(executionPolicy(), null, 2)}\n`;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { write: { type: 'boolean', default: false } } });
  if (values.write) {
    writeFile(POLICY_FILE, policyFileText()).then(
      () => console.log(`updated ${POLICY_FILE}`),
      (error: unknown) => {
        console.error(`execution-policy: ${String(error)}`);
        process.exitCode = 1;
      },
    );
  } else {
    process.stdout.write(policyFileText());
  }
}
