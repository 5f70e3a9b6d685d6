// Deployed once per environment from a workstation (bootstrap); afterwards GitHub Actions deploys everything else.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { type Environment, githubEnvironment } from '../../src/config/model.ts';
import {
  CDK_QUALIFIER,
  fleetNames,
  previewRoleVariable,
  repositoryName,
  smokeRoleName,
  stackNames,
} from '../../src/contract/names.ts';
import { ACCESS_OUTPUTS } from '../../src/contract/outputs.ts';
import { GitHubAccess } from '../constructs/github-access.ts';

export interface AccessStackProps extends StackProps {
  environment: Environment;
  /** ARN of a provider created by another environment's Access stack in the same account, or configured. */
  existingProviderArn?: string;
}

export class AccessStack extends Stack {
  readonly access: GitHubAccess;

  constructor(scope: Construct, id: string, props: AccessStackProps) {
    super(scope, id, props);
    const env = props.environment;
    const stacks = stackNames(env);
    const fleet = fleetNames(env);
    this.access = new GitHubAccess(this, 'GitHub', {
      repository: env.github.repository,
      environment: githubEnvironment(env),
      existingProviderArn: props.existingProviderArn,
      account: env.account,
      region: env.region,
      stackNames: { ingress: stacks.ingress, all: Object.values(stacks) },
      repositoryName: repositoryName(env),
      clusterName: fleet.cluster,
      serviceName: fleet.service,
      logGroupName: fleet.logGroup,
      qualifier: CDK_QUALIFIER,
      environmentName: env.name,
      smokeRoleName: smokeRoleName(env),
      serviceNetwork: env.serviceNetworkId,
    });
    new CfnOutput(this, ACCESS_OUTPUTS.deployRoleArn, {
      value: this.access.deployRole.roleArn,
      description: `Variable DEPLOY_ROLE_ARN of GitHub environment "${githubEnvironment(env)}"`,
    });
    new CfnOutput(this, ACCESS_OUTPUTS.previewRoleArn, {
      value: this.access.previewRole.roleArn,
      description: `Repository variable ${previewRoleVariable(env.name)} (or PREVIEW_ROLE_ARN) for pull-request previews`,
    });
    new CfnOutput(this, ACCESS_OUTPUTS.smokeRoleArn, {
      value: this.access.smokeRole.roleArn,
      description: 'Role the signed smoke checks assume (its name is fixed: no variable needed)',
    });
    new CfnOutput(this, ACCESS_OUTPUTS.oidcProviderArn, { value: this.access.provider.oidcProviderArn });
  }
}
