// GitHub Actions' way into the account: the OIDC provider and two roles, each trusted by exactly one kind of workflow
// run of one repository, and allowed only what that run does.
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GITHUB_OIDC_HOST, partitionOf } from '../../src/contract/names.ts';
import { acknowledge, wildcardFinding } from '../nag.ts';
import { REVOCATION_ACL_TAG } from './revocation-acl.ts';

export const STS_AUDIENCE = 'sts.amazonaws.com';

export interface GitHubAccessProps {
  /** owner/name */
  repository: string;
  /** GitHub deployment environment the deploy role is bound to. */
  environment: string;
  /** Reuse the account's provider; otherwise it is created here. */
  existingProviderArn?: string;
  account: string;
  region: string;
  /** Stacks the roles may read, and the Ingress stack the deploy role may update. */
  stackNames: { ingress: string; all: readonly string[] };
  repositoryName: string;
  clusterName: string;
  serviceName: string;
  logGroupName: string;
  /** The config's environment name: the tag value on the network ACL that carries its revocations. */
  environmentName: string;
  /** The CDK bootstrap qualifier (cdk-<qualifier>-*-role-<account>-<region>). */
  qualifier: string;
  /** Physical name of the smoke role, so workflows derive its ARN from the account alone. */
  smokeRoleName: string;
  /** The Lattice service network the environment's services are reached through (sn-… or its ARN), if configured. */
  serviceNetwork?: string;
}

/** The OIDC subject of a job that runs in a GitHub deployment environment. */
export function environmentSubject(repository: string, environment: string): string {
  return `repo:${repository}:environment:${environment}`;
}

/** The OIDC subject of a pull_request-triggered job. */
export function pullRequestSubject(repository: string): string {
  return `repo:${repository}:pull_request`;
}

export class GitHubAccess extends Construct {
  readonly provider: iam.IOidcProvider;
  readonly deployRole: iam.Role;
  readonly previewRole: iam.Role;
  readonly smokeRole: iam.Role;

  constructor(scope: Construct, id: string, props: GitHubAccessProps) {
    super(scope, id);
    this.provider = props.existingProviderArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', props.existingProviderArn)
      : new iam.OidcProviderNative(this, 'Provider', {
          url: `https://${GITHUB_OIDC_HOST}`,
          clientIds: [STS_AUDIENCE],
        });

    const arns = resourceArns(props);
    this.deployRole = new iam.Role(this, 'DeployRole', {
      description: `GitHub Actions deployments of ${props.repository} to ${props.environment}`,
      assumedBy: this.principal(environmentSubject(props.repository, props.environment)),
      // A deployment whose rollout times out and then rolls back can outlast the default hour.
      maxSessionDuration: Duration.hours(2),
    });
    this.deployRole.attachInlinePolicy(policy(this, 'DeployPolicy', deployGrants(arns)));

    this.previewRole = new iam.Role(this, 'PreviewRole', {
      description: `Read-only infrastructure previews (cdk diff) for pull requests of ${props.repository}`,
      assumedBy: this.principal(pullRequestSubject(props.repository)),
    });
    this.previewRole.attachInlinePolicy(policy(this, 'PreviewPolicy', previewGrants(arns)));

    this.smokeRole = new iam.Role(this, 'SmokeRole', {
      roleName: props.smokeRoleName,
      description: `Signed smoke checks of ${props.repository} against the Lattice services of ${props.environment}`,
      assumedBy: this.principal(environmentSubject(props.repository, props.environment)),
    });
    this.smokeRole.attachInlinePolicy(policy(this, 'SmokePolicy', smokeGrants(arns)));
  }

  /** Trust exactly one subject and the STS audience: no wildcards, no other repository, branch or event. */
  private principal(subject: string): iam.IPrincipal {
    return new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
      StringEquals: {
        [`${GITHUB_OIDC_HOST}:aud`]: STS_AUDIENCE,
        [`${GITHUB_OIDC_HOST}:sub`]: subject,
      },
    });
  }
}

/** ARNs of everything the roles touch, all scoped to this environment. */
function resourceArns(props: GitHubAccessProps) {
  const { account, region } = props;
  const p = partitionOf(region);
  const role = (purpose: string) =>
    `arn:${p}:iam::${account}:role/cdk-${props.qualifier}-${purpose}-role-${account}-${region}`;
  const stack = (name: string) => `arn:${p}:cloudformation:${region}:${account}:stack/${name}/*`;
  const ecs = `arn:${p}:ecs:${region}:${account}`;
  const network = props.serviceNetwork;
  return {
    bootstrapRoles: role('*'),
    cfnExecRole: role('cfn-exec'),
    ingressStack: stack(props.stackNames.ingress),
    stacks: props.stackNames.all.map(stack),
    repository: `arn:${p}:ecr:${region}:${account}:repository/${props.repositoryName}`,
    cluster: `${ecs}:cluster/${props.clusterName}`,
    service: `${ecs}:service/${props.clusterName}/${props.serviceName}`,
    serviceDeployments: `${ecs}:service-deployment/${props.clusterName}/${props.serviceName}/*`,
    tasks: `${ecs}:task/${props.clusterName}/*`,
    logGroup: `arn:${p}:logs:${region}:${account}:log-group:${props.logGroupName}:*`,
    networkAcls: `arn:${p}:ec2:${region}:${account}:network-acl/*`,
    environmentName: props.environmentName,
    bootstrapVersion: `arn:${p}:ssm:${region}:${account}:parameter/cdk-bootstrap/${props.qualifier}/version`,
    // Services may belong to other accounts (shared through RAM); their ids are not in the configuration.
    latticeServices: `arn:${p}:vpc-lattice:${region}:*:service/*`,
    serviceNetwork: network?.startsWith('arn:')
      ? network
      : network && `arn:${p}:vpc-lattice:${region}:*:servicenetwork/${network}`,
  };
}

type Arns = ReturnType<typeof resourceArns>;

/** One policy statement; a wildcard in a resource must say why it is needed. */
interface Grant {
  sid: string;
  actions: string[];
  resources: string[];
  conditions?: Record<string, Record<string, string>>;
  wildcardReason?: string;
}

function policy(scope: Construct, id: string, grants: Grant[]): iam.Policy {
  const result = new iam.Policy(scope, id, {
    statements: grants.map(
      ({ sid, actions, resources, conditions }) =>
        new iam.PolicyStatement({ sid, actions, resources, conditions }),
    ),
  });
  for (const grant of grants) {
    const wildcards = grant.resources.filter((resource) => resource.includes('*'));
    if (wildcards.length === 0) continue;
    if (!grant.wildcardReason) throw new Error(`${id}/${grant.sid}: a wildcard resource needs a reason`);
    acknowledge(result, grant.wildcardReason, ...wildcards.map(wildcardFinding));
  }
  return result;
}

const READ_STACKS = [
  'cloudformation:DescribeStacks',
  'cloudformation:DescribeStackEvents',
  'cloudformation:DescribeStackResources',
  'cloudformation:ListStackResources',
  'cloudformation:GetTemplate',
  'cloudformation:GetTemplateSummary',
];
const STACK_ID_REASON =
  "A stack ARN ends in the id CloudFormation generates; the stack names are this environment's.";

function deployGrants(arns: Arns): Grant[] {
  return [
    // cdk deploy: the bootstrap roles do the actual work (publishing assets, running CloudFormation).
    {
      sid: 'AssumeCdkBootstrapRoles',
      actions: ['sts:AssumeRole', 'sts:TagSession'],
      resources: [arns.bootstrapRoles],
      wildcardReason:
        'cdk deploy assumes the deploy, lookup and publishing roles of this account and Region ' +
        '(cdk-<qualifier>-<purpose>-role-<account>-<region>); the wildcard is the purpose only.',
    },
    { sid: 'ReadStacks', actions: READ_STACKS, resources: arns.stacks, wildcardReason: STACK_ID_REASON },
    // Rollout and rollback change only the ImageTag parameter of the Ingress stack, and CloudFormation has to run the
    // update as the bootstrap execution role: this role itself cannot touch ECS, IAM or the network.
    {
      sid: 'UpdateIngressStack',
      actions: ['cloudformation:UpdateStack'],
      resources: [arns.ingressStack],
      conditions: { StringEquals: { 'cloudformation:RoleArn': arns.cfnExecRole } },
      wildcardReason: STACK_ID_REASON,
    },
    // A rollout that overruns its timeout cancels the update, which rolls the stack back to the previous tag.
    {
      sid: 'CancelIngressStackUpdate',
      actions: ['cloudformation:CancelUpdateStack'],
      resources: [arns.ingressStack],
      wildcardReason: STACK_ID_REASON,
    },
    // The Ingress template's BootstrapVersion parameter is of type AWS::SSM::Parameter::Value<String>: CloudFormation
    // resolves it on every UpdateStack with the credentials of the caller, which for rollout and rollback is this role.
    {
      sid: 'ResolveBootstrapVersionParameter',
      actions: ['ssm:GetParameters'],
      resources: [arns.bootstrapVersion],
    },
    {
      sid: 'PassExecutionRoleToCloudFormation',
      actions: ['iam:PassRole'],
      resources: [arns.cfnExecRole],
      conditions: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
    },
    {
      sid: 'EcrLogin',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
      wildcardReason: 'ecr:GetAuthorizationToken supports no resource-level permissions.',
    },
    {
      sid: 'PushPullThisRepository',
      actions: [
        'ecr:BatchCheckLayerAvailability',
        'ecr:BatchGetImage',
        'ecr:CompleteLayerUpload',
        'ecr:DescribeImages',
        'ecr:DescribeImageScanFindings',
        'ecr:DescribeRepositories',
        'ecr:GetDownloadUrlForLayer',
        'ecr:InitiateLayerUpload',
        'ecr:ListImages',
        'ecr:PutImage',
        'ecr:UploadLayerPart',
      ],
      resources: [arns.repository],
    },
    // Following a rollout: the service's deployments, its tasks (stop reasons, exit codes, image digests), its logs.
    {
      sid: 'ReadService',
      actions: ['ecs:DescribeServices', 'ecs:ListServiceDeployments'],
      resources: [arns.service],
    },
    {
      sid: 'ReadServiceDeployments',
      actions: ['ecs:DescribeServiceDeployments'],
      resources: [arns.serviceDeployments],
      wildcardReason: 'Deployment ids are generated by ECS; the ARN prefix is this one service.',
    },
    {
      sid: 'ReadTasks',
      actions: ['ecs:DescribeTasks'],
      resources: [arns.tasks],
      wildcardReason: "Task ids are generated by ECS; the ARN prefix is this environment's cluster.",
    },
    {
      sid: 'ListTasksOfThisCluster',
      actions: ['ecs:ListTasks'],
      resources: ['*'],
      conditions: { ArnEquals: { 'ecs:cluster': arns.cluster } },
      wildcardReason:
        'ecs:ListTasks is scoped by its ecs:cluster condition (this cluster), not by a resource ARN.',
    },
    {
      sid: 'ReadWithoutResourceLevelPermissions',
      actions: ['ecs:DescribeTaskDefinition', 'elasticloadbalancing:DescribeTargetHealth'],
      resources: ['*'],
      wildcardReason:
        'ecs:DescribeTaskDefinition and elasticloadbalancing:DescribeTargetHealth are read-only and support no resource-level permissions.',
    },
    // Break-glass revocations (revoke.yml) and their lifting by a deployment: deny entries in the load balancers'
    // network ACL, which the Ingress stack tags with the environment's name.
    {
      sid: 'WriteRevocationAclEntries',
      actions: ['ec2:CreateNetworkAclEntry', 'ec2:DeleteNetworkAclEntry'],
      resources: [arns.networkAcls],
      conditions: { StringEquals: { [`aws:ResourceTag/${REVOCATION_ACL_TAG}`]: arns.environmentName } },
      wildcardReason:
        "Network ACL ids are generated by EC2; the tag condition limits the grant to this environment's ACL.",
    },
    {
      sid: 'ReadNetworkAcls',
      actions: ['ec2:DescribeNetworkAcls'],
      resources: ['*'],
      wildcardReason: 'ec2:DescribeNetworkAcls supports no resource-level permissions.',
    },
    {
      sid: 'ReadProxyLogs',
      actions: ['logs:FilterLogEvents', 'logs:GetLogEvents'],
      resources: [arns.logGroup],
      wildcardReason: 'Log stream names are created per task; the grant is limited to the proxy log group.',
    },
  ];
}

/**
 * Pull requests may only read this environment's own stacks. No bootstrap role: the lookup role carries
 * ReadOnlyAccess on the whole account (S3 objects, DynamoDB items, logs), and anyone who can push a branch can change
 * what a pull request's job runs. `cdk diff --no-change-set` tries the lookup role, and when it cannot be assumed
 * with credentials of the right account it proceeds with them, reading each stack with DescribeStacks and
 * GetTemplate (infra/test/permissions.test.ts checks the installed CLI still does).
 */
function previewGrants(arns: Arns): Grant[] {
  return [
    { sid: 'ReadStacks', actions: READ_STACKS, resources: arns.stacks, wildcardReason: STACK_ID_REASON },
  ];
}

/**
 * Signed smoke checks: Lattice admits a SigV4-signed request only when the caller's identity policy allows
 * vpc-lattice-svcs:Invoke as well as the service's (or network's) auth policy.
 */
function smokeGrants(arns: Arns): Grant[] {
  return [
    {
      sid: 'InvokeServicesOfThisNetwork',
      actions: ['vpc-lattice-svcs:Invoke'],
      resources: [arns.latticeServices],
      ...(arns.serviceNetwork
        ? { conditions: { ArnLike: { 'vpc-lattice-svcs:ServiceNetworkArn': arns.serviceNetwork } } }
        : {}),
      wildcardReason:
        'The configuration names the services by DNS name only; their ids (and, when shared through RAM, owner ' +
        'accounts) are unknown at synth time. The grant is limited to this Region and, when the environment ' +
        'configures serviceNetworkId, to services reached through that service network (vpc-lattice-svcs:ServiceNetworkArn).',
    },
  ];
}
