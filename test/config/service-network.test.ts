// A service network shared from another account through AWS RAM is named by ARN. AWS CloudFormation User Guide,
// AWS::VpcLattice::ServiceNetworkVpcAssociation, ServiceNetworkIdentifier: "The ID or ARN of the service network.
// You must use an ARN if the resources are in different accounts." deployment.yaml accepts both forms, validates
// them (located errors), and the ARN's Region must be the environment's: the association joins a VPC to a network
// of its own Region.
import { describe, expect, it } from 'vitest';
import { DeploymentSchema, EnvironmentSchema } from '../../src/config/model.ts';
import { parse, summary } from './sources.ts';

const SHARED = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0123456789abcdef0';

function deployment(serviceNetworkId: string): string {
  return `environments:
  - name: staging
    account: "111122223333"
    region: eu-west-1
    mode: private
    vpcCidr: 10.42.0.0/20
    serviceNetworkId: ${serviceNetworkId}
    github:
      repository: example-org/lattice-ingress
`;
}

describe('serviceNetworkId: "You must use an ARN if the resources are in different accounts"', () => {
  it('accepts the ID of a network in the same account and the ARN of a network shared from another account', () => {
    for (const value of ['sn-0123456789abcdef0', SHARED]) {
      const result = parse({ deployment: deployment(value) });
      expect(summary(result), value).toEqual([]);
      expect(result.config?.deployment.environments[0]?.serviceNetworkId).toBe(value);
    }
  });

  it("accepts the ARN in any partition (aws-cn, aws-us-gov) when its Region is the environment's", () => {
    const china = EnvironmentSchema.parse({
      name: 'china',
      account: '111122223333',
      region: 'cn-north-1',
      mode: 'private',
      vpcCidr: '10.42.0.0/20',
      serviceNetworkId: 'arn:aws-cn:vpc-lattice:cn-north-1:999988887777:servicenetwork/sn-0123456789abcdef0',
      github: { repository: 'example-org/lattice-ingress' },
    });
    expect(DeploymentSchema.safeParse({ environments: [china] }).success).toBe(true);
  });

  it('refuses anything else at its line and column, showing both forms', () => {
    for (const value of [
      'sn-123',
      'arn:aws:vpc-lattice:eu-west-1:999988887777:service/svc-0123456789abcdef0',
      'arn:aws:vpc-lattice:eu-west-1:9999:servicenetwork/sn-0123456789abcdef0',
    ]) {
      const result = parse({ deployment: deployment(value) });
      const [diagnostic] = result.diagnostics;
      expect(result.diagnostics, value).toHaveLength(1);
      expect(diagnostic).toMatchObject({
        file: 'config/deployment.yaml',
        line: 7,
        column: 23,
        severity: 'error',
      });
      expect(diagnostic?.message).toContain('sn-0123456789abcdef0');
      expect(diagnostic?.message).toContain('arn:aws:vpc-lattice:<region>:<account>:servicenetwork/');
    }
  });

  it("refuses an ARN of another Region than the environment's, saying why and what to do", () => {
    const result = parse({ deployment: deployment(SHARED.replace('eu-west-1', 'us-east-1')) });
    expect(result.diagnostics).toHaveLength(1);
    expect(result.diagnostics[0]).toMatchObject({ file: 'config/deployment.yaml', line: 7, column: 23 });
    expect(result.diagnostics[0]?.message).toContain(
      'serviceNetworkId names a service network in us-east-1, but environment staging is in eu-west-1: a VPC can only be associated with a service network of its own Region',
    );
  });
});
