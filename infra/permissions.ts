// Every AWS call the workflows and actions make with the roles of the Access stack, the implicit ones included
// (CloudFormation resolving parameters as the caller, cdk assuming the bootstrap roles): one row per call, pure data.
// infra/test/permissions.test.ts evaluates each row against the synthesized role policies with a real IAM policy
// evaluator; docs/infrastructure.md ("Permissions") shows the same table, generated from here:
//   npx tsx infra/permissions.ts               print the table
//   npx tsx infra/permissions.ts --write-docs  refresh the block in docs/infrastructure.md
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { extractGeneratedBlock, generatedBlock, replaceGeneratedBlock } from '../scripts/generated-block.ts';
import type { Environment } from '../src/config/model.ts';
import { CDK_QUALIFIER, fleetNames, partitionOf, repositoryName, stackNames } from '../src/contract/names.ts';
import { REVOCATION_ACL_TAG } from './constructs/revocation-acl.ts';
import { markdownTable } from './rollout-time.ts';

/** The roles of the Access stack, by the id their construct has in it. */
export const ROLES = {
  deploy: 'DeployRole',
  preview: 'PreviewRole',
  smoke: 'SmokeRole',
} as const;
export type RoleKey = keyof typeof ROLES;

/** ARNs of one environment, as AWS names them in a request. */
export function environmentArns(env: Environment) {
  const p = partitionOf(env.region);
  const { account, region } = env;
  const fleet = fleetNames(env);
  // Ids AWS generates (stack, task, Lattice service) are placeholders: the policies must not depend on them.
  const stack = (name: string) => `arn:${p}:cloudformation:${region}:${account}:stack/${name}/<stack-id>`;
  const ecs = `arn:${p}:ecs:${region}:${account}`;
  return {
    account,
    region,
    bootstrapRole: (purpose: string) =>
      `arn:${p}:iam::${account}:role/cdk-${CDK_QUALIFIER}-${purpose}-role-${account}-${region}`,
    bootstrapVersion: `arn:${p}:ssm:${region}:${account}:parameter/cdk-bootstrap/${CDK_QUALIFIER}/version`,
    stack,
    stacks: Object.values(stackNames(env)).map(stack),
    ingressStack: stack(stackNames(env).ingress),
    repository: `arn:${p}:ecr:${region}:${account}:repository/${repositoryName(env)}`,
    cluster: `${ecs}:cluster/${fleet.cluster}`,
    service: `${ecs}:service/${fleet.cluster}/${fleet.service}`,
    task: `${ecs}:task/${fleet.cluster}/<task-id>`,
    latticeService: `arn:${p}:vpc-lattice:${region}:${account}:service/<service-id>/<path>`,
    revocationAcl: `arn:${p}:ec2:${region}:${account}:network-acl/acl-0123456789abcdef0`,
    environmentName: env.name,
    serviceNetwork: env.serviceNetworkId?.startsWith('arn:')
      ? env.serviceNetworkId
      : `arn:${p}:vpc-lattice:${region}:${account}:servicenetwork/${env.serviceNetworkId ?? '<service-network-id>'}`,
  };
}
export type EnvironmentArns = ReturnType<typeof environmentArns>;

/** One AWS request a role makes: what IAM evaluates (action, resource, condition keys), why, and who makes it. */
export interface RequiredPermission {
  role: RoleKey;
  action: string;
  /** Resource ARNs of the request, or ['*'] for actions without resource-level permissions. */
  resources: (arns: EnvironmentArns) => string[];
  /** Request context keys the policy's conditions test. */
  context?: (arns: EnvironmentArns) => Record<string, string>;
  why: string;
  /** The code (or service, for implicit calls) that makes the request. */
  caller: string;
}

const CDK_DEPLOY = '`cdk deploy` (actions/deploy-infra)';
const CDK_DIFF = '`cdk diff` (actions/deploy-infra, mode diff)';
const STACKS_TS = 'src/aws/cloudformation.ts';
const ECR_TS = 'src/aws/ecr.ts';
const ECS_TS = 'src/aws/ecs.ts';
const UPDATE_STACK = 'CloudFormation, during UpdateStack by rollout and rollback';
const NETWORK_ACL_TS = 'src/aws/network-acl.ts';
const EVERYWHERE = () => ['*'];

const assume = (role: RoleKey, purpose: string, why: string, caller: string): RequiredPermission => ({
  role,
  action: 'sts:AssumeRole',
  resources: (arns) => [arns.bootstrapRole(purpose)],
  why,
  caller,
});

const readStack = (role: RoleKey, action: string, why: string, caller: string): RequiredPermission => ({
  role,
  action,
  resources: (arns) => arns.stacks,
  why,
  caller,
});

export const REQUIRED_PERMISSIONS: readonly RequiredPermission[] = [
  assume('deploy', 'deploy', 'cdk runs the change sets through the bootstrap deploy role', CDK_DEPLOY),
  assume(
    'deploy',
    'file-publishing',
    'cdk uploads templates and file assets to the bootstrap bucket',
    CDK_DEPLOY,
  ),
  assume('deploy', 'lookup', 'cdk reads the deployed templates through the lookup role', CDK_DEPLOY),
  readStack(
    'deploy',
    'cloudformation:DescribeStacks',
    'stack status, parameters and outputs',
    `${STACKS_TS} (deploy-infra, rollout, rollback), .github/scripts/ingress-exists.ts`,
  ),
  readStack(
    'deploy',
    'cloudformation:DescribeStackEvents',
    'why an update failed',
    `${STACKS_TS} (deploy-infra, rollout)`,
  ),
  {
    role: 'deploy',
    action: 'cloudformation:UpdateStack',
    resources: (arns) => [arns.ingressStack],
    context: (arns) => ({ 'cloudformation:RoleArn': arns.bootstrapRole('cfn-exec') }),
    why: 'rollout and rollback set the ImageTag parameter, run as the CDK execution role',
    caller: `${STACKS_TS} (rollout, rollback)`,
  },
  {
    role: 'deploy',
    action: 'iam:PassRole',
    resources: (arns) => [arns.bootstrapRole('cfn-exec')],
    context: () => ({ 'iam:PassedToService': 'cloudformation.amazonaws.com' }),
    why: 'UpdateStack hands the stack its execution role',
    caller: UPDATE_STACK,
  },
  {
    role: 'deploy',
    action: 'ssm:GetParameters',
    resources: (arns) => [arns.bootstrapVersion],
    why: 'the BootstrapVersion parameter (type AWS::SSM::Parameter::Value<String>) is resolved with the caller’s credentials',
    caller: UPDATE_STACK,
  },
  {
    role: 'deploy',
    action: 'cloudformation:CancelUpdateStack',
    resources: (arns) => [arns.ingressStack],
    why: 'a rollout or a `cdk deploy` past its deadline cancels the update, which rolls back',
    caller: `${STACKS_TS} (rollout, deploy-infra)`,
  },
  {
    role: 'deploy',
    action: 'ecr:GetAuthorizationToken',
    resources: EVERYWHERE,
    why: 'registry login for docker push (no resource-level permissions)',
    caller: `${ECR_TS} (build-push)`,
  },
  ...['ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:PutImage'].map(
    (action): RequiredPermission => ({
      role: 'deploy',
      action,
      resources: (arns) => [arns.repository],
      why: 'find an image by tag, re-tag an unchanged configuration',
      caller: `${ECR_TS} (build-push, rollout, rollback)`,
    }),
  ),
  ...[
    'ecr:BatchCheckLayerAvailability',
    'ecr:InitiateLayerUpload',
    'ecr:UploadLayerPart',
    'ecr:CompleteLayerUpload',
  ].map(
    (action): RequiredPermission => ({
      role: 'deploy',
      action,
      resources: (arns) => [arns.repository],
      why: 'push the image layers',
      caller: '`docker push` (src/build/docker.ts, build-push)',
    }),
  ),
  {
    role: 'deploy',
    action: 'ecs:DescribeServices',
    resources: (arns) => [arns.service],
    why: 'follow the rollout (deployments, events)',
    caller: `${ECS_TS} (rollout, rollback)`,
  },
  {
    role: 'deploy',
    action: 'ecs:DescribeTaskDefinition',
    resources: EVERYWHERE,
    why: 'the image a deployment runs (no resource-level permissions)',
    caller: `${ECS_TS} (rollout, rollback)`,
  },
  {
    role: 'deploy',
    action: 'ecs:ListTasks',
    resources: EVERYWHERE,
    context: (arns) => ({ 'ecs:cluster': arns.cluster }),
    why: 'the tasks of the service (scoped by the ecs:cluster condition)',
    caller: `${ECS_TS} (rollout, rollback)`,
  },
  {
    role: 'deploy',
    action: 'ecs:DescribeTasks',
    resources: (arns) => [arns.task],
    why: 'stop reasons, exit codes and image digests of the tasks',
    caller: `${ECS_TS} (rollout, rollback)`,
  },
  {
    role: 'deploy',
    action: 'elasticloadbalancing:DescribeTargetHealth',
    resources: EVERYWHERE,
    why: 'whether the load balancers see healthy proxies (no resource-level permissions)',
    caller: 'src/actions/smoke-adapters.ts (target health gate of the refusal check)',
  },
  {
    role: 'deploy',
    action: 'cloudformation:ListStackResources',
    resources: (arns) => [arns.ingressStack],
    why: "the Ingress stack's target groups, for the target health gate",
    caller: 'src/actions/smoke-adapters.ts (target health gate of the refusal check)',
  },
  {
    role: 'deploy',
    action: 'ec2:DescribeNetworkAcls',
    resources: EVERYWHERE,
    why: 'the break-glass denies in place (no resource-level permissions)',
    caller: `${NETWORK_ACL_TS} (revoke.yml, revoke --lift after a deploy)`,
  },
  ...(['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'] as const).map(
    (action): RequiredPermission => ({
      role: 'deploy',
      action,
      resources: (arns) => [arns.revocationAcl],
      context: (arns) => ({ [`aws:ResourceTag/${REVOCATION_ACL_TAG}`]: arns.environmentName }),
      why:
        action === 'ec2:CreateNetworkAclEntry'
          ? "deny a revoked client range in the load balancers' network ACL"
          : 'lift a deny once the deployed allowlist no longer admits the range',
      caller: `${NETWORK_ACL_TS} (revoke.yml, revoke --lift after a deploy)`,
    }),
  ),
  // No bootstrap role for previews: cdk diff falls back to the preview role's own credentials (see github-access.ts).
  readStack(
    'preview',
    'cloudformation:DescribeStacks',
    'whether each stack exists, and the outputs shown with the diff',
    `${CDK_DIFF}, ${STACKS_TS} (deploy-infra, mode diff)`,
  ),
  readStack(
    'preview',
    'cloudformation:GetTemplate',
    'the deployed template cdk diff compares with, read as the preview role itself',
    CDK_DIFF,
  ),
  {
    role: 'smoke',
    action: 'vpc-lattice-svcs:Invoke',
    resources: (arns) => [arns.latticeService],
    context: (arns) => ({ 'vpc-lattice-svcs:ServiceNetworkArn': arns.serviceNetwork }),
    why: 'signed requests: Lattice needs an identity-policy allow as well as the auth policy’s',
    caller: 'src/smoke/sign.ts (smoke, expect allowed)',
  },
];

const PERMISSIONS_BLOCK = generatedBlock('permissions', 'npx tsx infra/permissions.ts --write-docs');
const PROOF = '`infra/test/permissions.test.ts`';

/** The table for docs/infrastructure.md: role, action, resource pattern, why, caller, the test that proves it. */
export function permissionsTable(): string {
  const example = environmentArns({
    name: '<env>',
    account: '<account>',
    region: '<region>',
  } as Environment);
  const rows = REQUIRED_PERMISSIONS.map((p) => [
    p.role,
    `\`${p.action}\``,
    p
      .resources(example)
      .map((arn) => `\`${arn}\``)
      .join('<br>'),
    p.why,
    p.caller,
    PROOF,
  ]);
  return markdownTable(['Role', 'Action', 'Resource', 'Why', 'Called by', 'Proved by'], rows);
}

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DOCS_FILE = resolve(ROOT, 'docs/infrastructure.md');
export const extractPermissionsBlock = (document: string) =>
  extractGeneratedBlock(document, PERMISSIONS_BLOCK);

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'write-docs': { type: 'boolean', default: false } },
  });
  if (!values['write-docs']) {
    console.log(permissionsTable());
    return;
  }
  await writeFile(
    DOCS_FILE,
    replaceGeneratedBlock(await readFile(DOCS_FILE, 'utf8'), PERMISSIONS_BLOCK, permissionsTable()),
  );
  console.log(`updated ${DOCS_FILE}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`permissions: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
