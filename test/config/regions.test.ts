// The offline Region table: current with aws-cdk-lib's, and a misspelt Region refused with the one meant.
import { RegionInfo } from 'aws-cdk-lib/region-info';
import { describe, expect, it } from 'vitest';
import { REGIONS_BY_PARTITION } from '../../src/config/regions.ts';
import { exampleText, parse } from './sources.ts';

describe('regions', () => {
  it('lists every Region aws-cdk-lib knows in the partitions deployed to (update src/config/regions.ts if not)', () => {
    for (const [partition, regions] of Object.entries(REGIONS_BY_PARTITION)) {
      const known = RegionInfo.regions.filter((r) => r.partition === partition).map((r) => r.name);
      expect([...regions].sort(), partition).toEqual(known.sort());
    }
  });

  it('refuses region: eu-wset-1 at its line, suggesting eu-west-1', () => {
    const text = exampleText('deployment');
    const line = text.split('\n').findIndex((l) => l.includes('region: eu-west-1')) + 1;
    const found = parse({
      deployment: text.replace('region: eu-west-1', 'region: eu-wset-1'),
    }).diagnostics.filter((d) => d.code === 'region-unknown');
    expect(found).toEqual([
      expect.objectContaining({
        line,
        message: expect.stringContaining('eu-wset-1 is not an AWS Region'),
        hint: 'did you mean eu-west-1?',
      }),
    ]);
  });
});
