import { describe, expect, it } from 'vitest';
import { parse } from '../../test/config/sources.ts';
import type { AllowlistEntry, Config } from '../config/model.ts';
import { unifiedDiff } from './line-diff.ts';
import { formatPlanMarkdown, MAX_ROWS } from './markdown.ts';
import { allowlistChanges, hasChanges, planChange } from './plan.ts';
import { renderedDiffs } from './rendered.ts';

const e = (cidr: string, description = 'Example', expires?: string): AllowlistEntry =>
  expires ? { cidr, description, expires } : { cidr, description };

function example(): Config {
  const { config } = parse();
  if (!config) throw new Error('the example config must be valid');
  return config;
}

describe('allowlistChanges', () => {
  it('tells additions, removals, widenings, narrowings and edits apart', () => {
    const changes = allowlistChanges(
      [
        e('198.51.100.0/24'),
        e('203.0.113.16/28'),
        e('192.0.2.0/24'),
        e('2001:db8::/48'),
        e('172.16.5.0/24', 'Old'),
      ],
      [
        e('198.51.100.0/23'),
        e('203.0.113.16/29'),
        e('10.0.0.0/8'),
        e('2001:db8:1::/48'),
        e('172.16.5.0/24', 'New', '2030-01-01'),
      ],
    );
    expect(changes.map((c) => [c.kind, c.previous ?? '', c.cidr, c.broad])).toEqual([
      ['added', '', '10.0.0.0/8', true],
      ['added', '', '2001:db8:1::/48', false],
      ['widened', '198.51.100.0/24', '198.51.100.0/23', false],
      ['narrowed', '203.0.113.16/28', '203.0.113.16/29', false],
      ['removed', '', '192.0.2.0/24', false],
      ['removed', '', '2001:db8::/48', false],
      ['changed', '', '172.16.5.0/24', false],
    ]);
    expect(changes.at(-1)?.details).toEqual([
      { field: 'description', before: 'Old', after: 'New' },
      { field: 'expires', before: undefined, after: '2030-01-01' },
    ]);
  });

  it('flags broad additions by family', () => {
    const changes = allowlistChanges(
      [],
      [e('10.0.0.0/15'), e('10.4.0.0/16'), e('2001:db8::/31'), e('2001:db8::/32')],
    );
    expect(changes.filter((c) => c.broad).map((c) => c.cidr)).toEqual(['10.0.0.0/15', '2001:db8::/31']);
  });

  it('sees no change when only the order changes', () => {
    expect(
      allowlistChanges([e('192.0.2.0/24'), e('10.0.0.0/8')], [e('10.0.0.0/8'), e('192.0.2.0/24')]),
    ).toEqual([]);
  });
});

describe('planChange', () => {
  it('finds service, scaling and environment changes', () => {
    const base = example();
    const head = structuredClone(base);
    head.services.services[0] = {
      ...head.services.services[0],
      ports: [443],
    } as Config['services']['services'][0];
    head.services.services.pop();
    head.scaling.maxTasks = 20;
    head.deployment.environments[0] = {
      ...head.deployment.environments[0],
      mode: 'both',
    } as Config['deployment']['environments'][0];
    const plan = planChange(base, head);
    expect(plan.services).toEqual([
      { name: 'orders', kind: 'changed', fields: [{ field: 'ports', before: [443, 80], after: [443] }] },
      expect.objectContaining({ name: 'status-page', kind: 'removed' }),
    ]);
    expect(plan.scaling).toEqual([{ field: 'maxTasks', before: 10, after: 20 }]);
    expect(plan.environments).toEqual([
      { name: 'staging', kind: 'changed', fields: [{ field: 'mode', before: 'private', after: 'both' }] },
    ]);
    expect(hasChanges(planChange(base, base))).toBe(false);
  });

  it('treats a missing base as everything added', () => {
    const plan = planChange(undefined, example());
    expect(plan.allowlist.every((c) => c.kind === 'added')).toBe(true);
    expect(plan.services.map((s) => s.kind)).toEqual(['added', 'added', 'added']);
  });
});

describe('formatPlanMarkdown', () => {
  it('renders tables with broad ranges called out, and caps long tables', () => {
    const base = example();
    const head = structuredClone(base);
    head.allowlist.entries.push(e('10.0.0.0/8', 'Whole corporate network'));
    for (let i = 0; i < MAX_ROWS + 5; i++) head.allowlist.entries.push(e(`172.16.${i}.0/24`));
    const markdown = formatPlanMarkdown(planChange(base, head));
    expect(markdown).toContain(
      '> [!WARNING]\n> 1 broad range (shorter than /16 IPv4 or /32 IPv6): `10.0.0.0/8`',
    );
    expect(markdown).toContain('| ➕ added ⚠️ broad | `10.0.0.0/8` | Whole corporate network | — |');
    expect(markdown).toContain('… and 6 more');
  });

  it('says so when nothing changed', () => {
    const config = example();
    expect(formatPlanMarkdown(planChange(config, config))).toContain('No change to the allowlist');
  });
});

describe('renderedDiffs', () => {
  it('shows the rendered allowlist change per environment', () => {
    const base = example();
    const head = structuredClone(base);
    head.allowlist.entries.push(e('192.0.2.128/25'));
    const diffs = renderedDiffs(base, head);
    expect(diffs.map((d) => d.environment)).toEqual(['staging', 'production']);
    const text = diffs[0]?.files.map((f) => f.diff).join('') ?? '';
    expect(text).toMatch(/^\+.*192\.0\.2\.128\/25/m);
    expect(text.split('\n').filter((l) => /^[-+][^-+]/.test(l))).toHaveLength(1);
    expect(renderedDiffs(base, base).every((d) => d.files.length === 0)).toBe(true);
  });
});

describe('unifiedDiff', () => {
  it('matches diff -u on a small example', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n';
    const after = 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\n';
    expect(unifiedDiff(before, after, { from: 'a/x', to: 'b/x' })).toBe(
      '--- a/x\n+++ b/x\n@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -8,3 +8,4 @@\n h\n i\n j\n+k\n',
    );
    expect(unifiedDiff('', 'x\n', { from: 'a', to: 'b' })).toBe('--- a\n+++ b\n@@ -0,0 +1,1 @@\n+x\n');
    expect(unifiedDiff('same\n', 'same\n', { from: 'a', to: 'b' })).toBe('');
  });
});

describe('access per service', () => {
  it('says which range may now, or no longer, reach which service', () => {
    const base = example();
    const head: Config = {
      ...base,
      allowlist: {
        ...base.allowlist,
        entries: [
          { cidr: '198.51.100.0/24', description: 'Head office', services: ['orders'] },
          { cidr: '203.0.113.16/28', description: 'Partner', services: ['orders', 'inventory'] },
          { cidr: '192.0.2.10/32', description: 'VPN' },
          { cidr: '2001:db8:100::/48', description: 'Head office IPv6' },
          { cidr: '198.18.0.0/24', description: 'New partner', services: ['inventory'] },
        ],
      },
    };
    const plan = planChange(base, head);
    expect(plan.access).toEqual([
      { cidr: '198.18.0.0/24', gained: ['inventory'], lost: [] },
      { cidr: '198.51.100.0/24', gained: [], lost: ['inventory', 'status-page'] },
      { cidr: '203.0.113.16/28', gained: [], lost: ['status-page'] },
    ]);
    expect(formatPlanMarkdown(plan)).toContain(
      '- `198.51.100.0/24` may no longer reach inventory, status-page',
    );
    expect(formatPlanMarkdown(plan)).toContain('- `198.18.0.0/24` may now reach inventory');
  });
});
