// Optional sandbox stack: a Lattice service to smoke-test the whole path in a fresh account.
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Environment } from '../../src/config/model.ts';
import { EXAMPLE_OUTPUTS } from '../../src/contract/outputs.ts';
import { ExampleProvider } from '../constructs/example-provider.ts';

export interface ExampleProviderStackProps extends StackProps {
  environment: Environment;
}

export class ExampleProviderStack extends Stack {
  readonly provider: ExampleProvider;

  constructor(scope: Construct, id: string, props: ExampleProviderStackProps) {
    super(scope, id, props);
    const env = props.environment;
    this.provider = new ExampleProvider(this, 'Example', {
      name: `example-${env.name}`,
      existingServiceNetworkId: env.serviceNetworkId,
      publicZone: env.hostedZones?.public,
      logRetention: env.logRetentionDays,
    });
    new CfnOutput(this, EXAMPLE_OUTPUTS.serviceNetworkId, { value: this.provider.serviceNetworkId });
    new CfnOutput(this, EXAMPLE_OUTPUTS.serviceDnsName, {
      value: this.provider.service.attrDnsEntryDomainName,
      description: 'latticeDomain of the example service for services.yaml',
    });
    if (this.provider.customDomain) {
      new CfnOutput(this, EXAMPLE_OUTPUTS.customDomain, {
        value: this.provider.customDomain,
        description: 'domain of the example service for services.yaml',
      });
    }
  }
}
