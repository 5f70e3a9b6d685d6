// A service network shared from another account through AWS RAM reaches the association as its ARN, unchanged.
// AWS CloudFormation User Guide, AWS::VpcLattice::ServiceNetworkVpcAssociation, ServiceNetworkIdentifier: "The ID
// or ARN of the service network. You must use an ARN if the resources are in different accounts."
import { describe, expect, it } from 'vitest';
import {
  environment,
  exampleConfig,
  propertiesOf,
  SYNTH_TIMEOUT_MS,
  synthesize,
  withEnvironments,
} from './fixtures.ts';

const SHARED = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0123456789abcdef0';

describe('a service network shared from another account', () => {
  it(
    'is associated by its ARN, passed through unchanged ("You must use an ARN if the resources are in different accounts")',
    async () => {
      const app = synthesize(
        withEnvironments(await exampleConfig(), [
          environment({ name: 'shared', mode: 'private', serviceNetworkId: SHARED }),
        ]),
      );
      const association = propertiesOf(
        app.template('LatticeIngress-shared-Ingress'),
        'AWS::VpcLattice::ServiceNetworkVpcAssociation',
      );
      expect(association.ServiceNetworkIdentifier).toBe(SHARED);
    },
    SYNTH_TIMEOUT_MS,
  );
});
