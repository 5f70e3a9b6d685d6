// The AWS Regions of the partitions lattice-ingress deploys to, offline: a Region code that passes the pattern
// (eu-wset-1) but names no Region is refused at validation, not at deploy. Kept equal to aws-cdk-lib's region-info
// by test/config/regions.test.ts: when a CDK update brings a new Region, that test says to add it here.

export const REGIONS_BY_PARTITION = {
  aws: [
    'af-south-1',
    'ap-east-1',
    'ap-east-2',
    'ap-northeast-1',
    'ap-northeast-2',
    'ap-northeast-3',
    'ap-south-1',
    'ap-south-2',
    'ap-southeast-1',
    'ap-southeast-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-6',
    'ap-southeast-7',
    'ca-central-1',
    'ca-west-1',
    'eu-central-1',
    'eu-central-2',
    'eu-north-1',
    'eu-south-1',
    'eu-south-2',
    'eu-west-1',
    'eu-west-2',
    'eu-west-3',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'me-west-1',
    'mx-central-1',
    'sa-east-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ],
  'aws-cn': ['cn-north-1', 'cn-northwest-1'],
  'aws-us-gov': ['us-gov-east-1', 'us-gov-west-1'],
} as const satisfies Record<string, readonly string[]>;

export type Partition = keyof typeof REGIONS_BY_PARTITION;

export const KNOWN_REGIONS: readonly string[] = Object.values(REGIONS_BY_PARTITION).flat();
