// Offline IAM evaluation of the synthesized role policies (@cloud-copilot/iam-simulate): what AWS would answer a
// request made with one of the Access stack's roles. Used by the permission tests and the loopback AWS stub.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import type { Environment } from '../src/config/model.ts';
import { githubProviderArn, stackNames } from '../src/contract/names.ts';
import { ROLES, type RoleKey } from './permissions.ts';
import { AccessStack } from './stacks/access-stack.ts';

export interface PolicyDocument {
  Version?: string;
  Statement: unknown[];
}

interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

export interface CfnTemplate {
  Resources?: Record<string, TemplateResource>;
}

export interface RolePolicies {
  /** The role's ARN (its physical name is generated unless the stack fixes it; a stand-in then). */
  roleArn: string;
  account: string;
  policies: { name: string; policy: PolicyDocument }[];
}

export interface IamRequest {
  action: string;
  resource: string;
  context?: Record<string, string>;
}

export type IamDecision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

/** The Access stack of one environment, synthesized on its own (no cdk-nag): the roles exactly as deployed. */
export function accessTemplate(env: Environment): CfnTemplate {
  const app = new App({ context: { '@aws-cdk/core:validateAgainstDefaultRules': false } });
  const stack = new AccessStack(app, stackNames(env).access, {
    env: { account: env.account, region: env.region },
    environment: env,
    // Whether the provider is created or imported changes the trust, never the permissions.
    existingProviderArn: githubProviderArn(env.account, env.region),
  });
  return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
}

/** The identity policies of one role in a synthesized Access template: inline Policies and attached AWS::IAM::Policy. */
export function rolePolicies(template: CfnTemplate, role: RoleKey, account: string): RolePolicies {
  const resources = Object.entries(template.Resources ?? {});
  const roles = resources.filter(([id, r]) => r.Type === 'AWS::IAM::Role' && id.includes(ROLES[role]));
  if (roles.length !== 1)
    throw new Error(`expected one ${ROLES[role]} in the template, found ${roles.length}`);
  const [[roleId, roleResource]] = roles as [[string, TemplateResource]];
  if (roleResource.Properties?.ManagedPolicyArns) {
    throw new Error(`${roleId} has managed policies; only inline policies are evaluated`);
  }
  const inline = (
    (roleResource.Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: PolicyDocument }[]
  ).map((p) => ({ name: p.PolicyName, policy: p.PolicyDocument }));
  const attached = resources
    .filter(([, r]) => r.Type === 'AWS::IAM::Policy')
    .filter(([, r]) => JSON.stringify(r.Properties?.Roles ?? []).includes(`{"Ref":"${roleId}"}`))
    .map(([id, r]) => ({ name: id, policy: r.Properties?.PolicyDocument as PolicyDocument }));
  const policies = [...inline, ...attached];
  const unresolved = policies.filter(({ policy }) => /"(Ref|Fn::[A-Za-z]+)"/.test(JSON.stringify(policy)));
  if (unresolved.length > 0) {
    throw new Error(`policies ${unresolved.map((p) => p.name).join(', ')} contain CloudFormation functions`);
  }
  const roleName = (roleResource.Properties?.RoleName as string | undefined) ?? roleId;
  return { roleArn: `arn:aws:iam::${account}:role/${roleName}`, account, policies };
}

/**
 * How IAM decides the request from the role's identity policies and, when given, the resource's policy (for a role:
 * its trust policy); no SCP or permission boundary.
 */
export async function evaluate(
  role: RolePolicies,
  request: IamRequest,
  resourcePolicy?: PolicyDocument,
): Promise<IamDecision> {
  const result = await runSimulation(
    {
      identityPolicies: role.policies.map(({ name, policy }) => ({ name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
      request: {
        action: request.action,
        principal: role.roleArn,
        resource: { accountId: role.account, resource: request.resource },
        contextVariables: request.context ?? {},
      },
    },
    {},
  );
  if (result.resultType === 'error') {
    throw new Error(
      `cannot evaluate ${request.action} on ${request.resource}: ${JSON.stringify(result.errors)}`,
    );
  }
  return result.overallResult as IamDecision;
}
