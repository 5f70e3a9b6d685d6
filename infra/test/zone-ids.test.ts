// Zones named by ID (availabilityZoneIds): every subnet is placed by AvailabilityZoneId, which names the same
// physical zone in every account, instead of by the account's own zone names.
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { Network } from '../constructs/network.ts';
import { resourcesOf, SYNTH_TIMEOUT_MS, WITHOUT_TEMPLATE_VALIDATION } from './fixtures.ts';

function subnets(availabilityZoneIds?: string[]) {
  const stack = new Stack(new App({ context: WITHOUT_TEMPLATE_VALIDATION }), 'Zones', {
    env: { account: '111122223333', region: 'eu-west-1' },
  });
  new Network(stack, 'Network', {
    cidr: '10.50.0.0/20',
    availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'],
    availabilityZoneIds,
    publicSubnets: true,
    dualStack: false,
    ecsExec: false,
    logRetention: RetentionDays.ONE_WEEK,
  });
  return resourcesOf(Template.fromStack(stack), 'AWS::EC2::Subnet').map(([, p]) => p);
}

// Each test synthesizes a stack of its own: seconds of CPU, many times that on a busy machine.
describe('availability zone IDs', () => {
  it(
    'place each subnet of both tiers by zone ID, in the configured order, and drop the zone name',
    () => {
      const placed = subnets(['euw1-az3', 'euw1-az1', 'euw1-az2']);
      expect(placed).toHaveLength(6);
      for (const subnet of placed) expect(subnet.AvailabilityZone).toBeUndefined();
      expect(placed.map((p) => p.AvailabilityZoneId).sort()).toEqual([
        'euw1-az1',
        'euw1-az1',
        'euw1-az2',
        'euw1-az2',
        'euw1-az3',
        'euw1-az3',
      ]);
      // The first configured zone holds the first subnet of each tier.
      const cidrOf = (id: string) =>
        placed.filter((p) => p.AvailabilityZoneId === id).map((p) => p.CidrBlock);
      expect(cidrOf('euw1-az3')).toContain('10.50.0.0/23');
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'leave subnets placed by name when none are configured',
    () => {
      const placed = subnets();
      expect(new Set(placed.map((p) => p.AvailabilityZone))).toEqual(
        new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']),
      );
      for (const subnet of placed) expect(subnet.AvailabilityZoneId).toBeUndefined();
    },
    SYNTH_TIMEOUT_MS,
  );
});
