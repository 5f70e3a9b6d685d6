// What IAM would say to a request the loopback AWS stub receives, for a caller holding one of the Access stack's roles
// as synthesized from the configuration: the request's IAM action(s), resource ARN(s) and condition keys, including
// what AWS checks on the caller's behalf (UpdateStack: passing the service role, resolving SSM-typed parameters).

import {
  accessTemplate,
  type CfnTemplate,
  evaluate,
  type IamRequest,
  type RolePolicies,
  rolePolicies,
} from '../../infra/iam-evaluation.ts';
import { type EnvironmentArns, environmentArns, type RoleKey } from '../../infra/permissions.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Environment } from '../../src/config/model.ts';
import { AwsStubError, type AwsStubRequest } from './aws-stub.ts';
import { oncePerRun } from './run-cache.ts';
import { SAMPLE_CONFIG_DIR } from './sample-config.ts';

/** Returns the error AWS would answer, or undefined when the caller may make the request. */
export type AwsAuthorizer = (request: AwsStubRequest) => Promise<AwsStubError | undefined>;

/** One permission AWS checks for a request; `implicit` when a service checks it on the caller's behalf. */
interface Check extends IamRequest {
  implicit?: boolean;
}

const list = (value: unknown): string[] =>
  Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];

/** The permissions a request needs; requests not listed need `<service>:<Operation>` on any resource. */
function checksFor(request: AwsStubRequest, arns: EnvironmentArns): Check[] {
  const { service, operation, params } = request;
  const p = arns.stack('x').split(':')[1];
  const stack = (name: unknown) =>
    String(name).startsWith('arn:') ? String(name) : arns.stack(String(name));
  const cluster = (name: unknown) =>
    String(name).startsWith('arn:')
      ? String(name)
      : `arn:${p}:ecs:${arns.region}:${arns.account}:cluster/${name}`;
  const action = `${service}:${operation}`;
  if (service === 'cloudformation' && params.StackName !== undefined) {
    const checks: Check[] = [
      {
        action,
        resource: stack(params.StackName),
        context: params.RoleARN ? { 'cloudformation:RoleArn': String(params.RoleARN) } : {},
      },
    ];
    if (operation === 'UpdateStack') {
      if (params.RoleARN) {
        checks.push({
          action: 'iam:PassRole',
          resource: String(params.RoleARN),
          context: { 'iam:PassedToService': 'cloudformation.amazonaws.com' },
        });
      }
      // Every stack of this app has the SSM-typed BootstrapVersion parameter, resolved as the caller.
      checks.push({ action: 'ssm:GetParameters', resource: arns.bootstrapVersion, implicit: true });
    }
    return checks;
  }
  if (service === 'ecs') {
    const clusterArn = cluster(params.cluster ?? 'default');
    const name = clusterArn.replace(/^.*cluster\//, '');
    if (operation === 'DescribeServices') {
      return list(params.services).map((s) => ({
        action,
        resource: s.startsWith('arn:') ? s : `${clusterArn.replace(':cluster/', ':service/')}/${s}`,
      }));
    }
    if (operation === 'DescribeTasks') {
      return list(params.tasks).map((t) => ({
        action,
        resource: t.startsWith('arn:')
          ? t
          : `${clusterArn.replace(`:cluster/${name}`, `:task/${name}`)}/${t}`,
      }));
    }
    if (operation === 'ListTasks') return [{ action, resource: '*', context: { 'ecs:cluster': clusterArn } }];
    if (operation === 'ListServiceDeployments') {
      return [
        { action, resource: `${clusterArn.replace(':cluster/', ':service/')}/${String(params.service)}` },
      ];
    }
    if (operation === 'DescribeServiceDeployments') {
      return list(params.serviceDeploymentArns).map((resource) => ({ action, resource }));
    }
  }
  if (service === 'ecr' && params.repositoryName !== undefined) {
    return [
      {
        action,
        resource: `arn:${p}:ecr:${arns.region}:${arns.account}:repository/${String(params.repositoryName)}`,
      },
    ];
  }
  return [{ action, resource: '*' }];
}

/** The message AWS gives, e.g. for ECS: "User: arn:... is not authorized to perform: ecs:DescribeServices on ...". */
function denial(roleArn: string, check: Check, service: string): AwsStubError {
  const message = `User: ${roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/lattice-ingress-test is not authorized to perform: ${check.action} on resource: ${check.resource} because no identity-based policy allows the ${check.action} action`;
  // CloudFormation reports a parameter it could not resolve as a failed validation of the request.
  if (check.implicit) return new AwsStubError('ValidationError', `AccessDenied. ${message}`, 400);
  if (service === 'cloudformation' || service === 'sts')
    return new AwsStubError('AccessDenied', message, 403);
  return new AwsStubError('AccessDeniedException', message, 400);
}

/** The repository's configuration, which the runner-style tests deploy from. */
export const TEST_CONFIG_DIR = SAMPLE_CONFIG_DIR;

/** Authorizes requests as `role` of `environment`, with the role policies synthesized from `configDir`. */
export async function roleAuthorizer(
  role: RoleKey = 'deploy',
  environment = 'staging',
  configDir = TEST_CONFIG_DIR,
): Promise<AwsAuthorizer> {
  const { config } = await loadConfig(configDir);
  const env = config?.deployment.environments.find((e) => e.name === environment);
  if (!env) throw new Error(`${configDir} has no valid environment ${environment}`);
  return policyAuthorizer(
    rolePolicies(await sharedAccessTemplate(env), role, env.account),
    environmentArns(env),
  );
}

/** The Access stack's template for an environment, synthesized once per test run for every file that needs it. */
export function sharedAccessTemplate(env: Environment): Promise<CfnTemplate> {
  return oncePerRun('access-template', env, () => accessTemplate(env));
}

/** Authorizes requests against the given role policies, for resources of the given environment. */
export function policyAuthorizer(policies: RolePolicies, arns: EnvironmentArns): AwsAuthorizer {
  return async (request) => {
    for (const check of checksFor(request, arns)) {
      if ((await evaluate(policies, check)) !== 'Allowed')
        return denial(policies.roleArn, check, request.service);
    }
    return undefined;
  };
}
