// The environment's image registry; deployed before the first image is built.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Environment } from '../../src/config/model.ts';
import { repositoryName } from '../../src/contract/names.ts';
import { REGISTRY_OUTPUTS } from '../../src/contract/outputs.ts';
import { Registry } from '../constructs/registry.ts';

export interface RegistryStackProps extends StackProps {
  environment: Environment;
}

export class RegistryStack extends Stack {
  constructor(scope: Construct, id: string, props: RegistryStackProps) {
    super(scope, id, props);
    const { repository } = new Registry(this, 'Registry', {
      repositoryName: repositoryName(props.environment),
    });
    new CfnOutput(this, REGISTRY_OUTPUTS.repositoryName, { value: repository.repositoryName });
    new CfnOutput(this, REGISTRY_OUTPUTS.repositoryUri, { value: repository.repositoryUri });
    new CfnOutput(this, REGISTRY_OUTPUTS.repositoryArn, { value: repository.repositoryArn });
  }
}
