// A service network shared from another account through AWS RAM reaches the association as its ARN, unchanged.
// AWS CloudFormation User Guide, AWS::VpcLattice::ServiceNetworkVpcAssociation, ServiceNetworkIdentifier: "The ID
// or ARN of the service network. You must use an ARN if the resources are in different accounts."
import { describe, expect, it } from 'vitest';
import {
  exampleConfig,
  PRIVATE_ENVIRONMENTS,
  propertiesOf,
  SHARED_SERVICE_NETWORK_ARN,
  SYNTH_TIMEOUT_MS,
  synthesize,
  withEnvironments,
} from './fixtures.ts';

describe('a service network shared from another account', () => {
  it(
    'is associated by its ARN, passed through unchanged ("You must use an ARN if the resources are in different accounts")',
    async () => {
      const app = await synthesize(withEnvironments(await exampleConfig(), PRIVATE_ENVIRONMENTS));
      const association = propertiesOf(
        app.template('LatticeIngress-shared-Ingress'),
        'AWS::VpcLattice::ServiceNetworkVpcAssociation',
      );
      expect(association.ServiceNetworkIdentifier).toBe(SHARED_SERVICE_NETWORK_ARN);
    },
    SYNTH_TIMEOUT_MS,
  );
});
