// What a rollback would do to access: ranges and services the target image brings back.
import { describe, expect, it } from 'vitest';
import { accessWidening, describeWidening, widens } from '../../src/access/rollback-access.ts';
import type { AllowlistEntry } from '../../src/config/model.ts';

const side = (entries: AllowlistEntry[], services: string[] = ['orders'], allowAnyAddress = false) => ({
  allowlist: { allowAnyAddress, entries },
  services: {
    services: services.map((name) => ({
      name,
      domain: `${name}.example.com`,
      ports: [443 as const],
      auth: 'iam' as const,
      smoke: { path: '/health', expect: 200 },
    })),
  },
});
const entry = (cidr: string, expires?: string): AllowlistEntry => ({
  cidr,
  description: cidr,
  ...(expires ? { expires } : {}),
});
const TODAY = '2026-03-10';

describe('accessWidening', () => {
  it('finds a range removed since the target was built', () => {
    const current = side([entry('198.51.100.0/24')]);
    const target = side([entry('198.51.100.0/24'), entry('203.0.113.16/28')]);
    const widening = accessWidening(current, target, TODAY);
    expect(widening.readmitted.map((e) => e.cidr)).toEqual(['203.0.113.16/28']);
    expect(widens(widening)).toBe(true);
  });

  it('counts an entry that has expired since as gone from what runs now', () => {
    const both = [entry('203.0.113.16/28', '2026-03-01')];
    const widening = accessWidening(side(both), side(both), TODAY);
    expect(describeWidening(widening)).toEqual([
      '- 203.0.113.16/28 (203.0.113.16/28) would be admitted again; it expired on 2026-03-01',
    ]);
  });

  it('does not call a range widening when what runs now covers it, even split over several entries', () => {
    const current = side([entry('198.51.100.0/25'), entry('198.51.100.128/25'), entry('192.0.2.0/24')]);
    const target = side([entry('198.51.100.0/24'), entry('192.0.2.16/28')]);
    expect(widens(accessWidening(current, target, TODAY))).toBe(false);
  });

  it('sees half a range as widening', () => {
    const current = side([entry('198.51.100.0/25')]);
    const target = side([entry('198.51.100.0/24')]);
    expect(accessWidening(current, target, TODAY).readmitted).toHaveLength(1);
  });

  it('finds services and allowAnyAddress that come back', () => {
    const current = side([entry('198.51.100.0/24')], ['orders']);
    const target = side([entry('198.51.100.0/24')], ['orders', 'billing'], true);
    expect(accessWidening(current, target, TODAY)).toMatchObject({
      servicesAdded: ['billing'],
      anyAddress: true,
    });
  });

  it('a narrower target is no widening', () => {
    const current = side([entry('198.51.100.0/24'), entry('192.0.2.0/24')], ['orders', 'billing']);
    const target = side([entry('198.51.100.0/24')], ['orders']);
    expect(widens(accessWidening(current, target, TODAY))).toBe(false);
  });
});
