// compileChange gives the plan and the rendered diff what they compute on their own, from one sweep.
import { describe, expect, it } from 'vitest';
import { parse } from '../../test/config/sources.ts';
import { reachBeforeAndAfter } from '../access/access-groups.ts';
import type { Config } from '../config/model.ts';
import { compileChange, compiledAllowlists } from './compiled-change.ts';
import { planChange } from './plan.ts';
import { renderedDiffs } from './rendered.ts';

function example(): Config {
  const { config } = parse();
  if (!config) throw new Error('the example config must be valid');
  return config;
}

function changed(base: Config): Config {
  const head = structuredClone(base);
  head.allowlist.entries.push({ cidr: '192.0.2.128/25', description: 'New', services: ['orders'] });
  head.allowlist.entries.splice(0, 1);
  return head;
}

describe('compileChange', () => {
  const base = example();
  const head = changed(base);
  const nonCanonical: Partial<Config> = {
    ...base,
    allowlist: { ...base.allowlist, entries: [{ cidr: '10.0.0.1/8', description: 'Host bits' }] },
  };
  const incomplete: Partial<Config> = { allowlist: base.allowlist };

  it.each([
    ['a base that compiles', base],
    ['a base with a non-canonical entry', nonCanonical],
    ['an incomplete base', incomplete],
    ['no base', undefined],
  ])('gives %s the reach, allowlists, plan and rendered diff computed alone', (_, before) => {
    const { reach, allowlists } = compileChange(before, head);
    expect(reach).toEqual(reachBeforeAndAfter(before?.allowlist?.entries ?? [], head.allowlist.entries));
    expect(allowlists).toEqual(compiledAllowlists(before, head));
    expect(planChange(before, head, reach)).toEqual(planChange(before, head));
    expect(renderedDiffs(before, head, allowlists)).toEqual(renderedDiffs(before, head));
  });

  it('leaves the base uncompiled when it does not compile, so rendering it reports why', () => {
    expect(compileChange(nonCanonical, head).allowlists[0]).toBeUndefined();
    expect(renderedDiffs(nonCanonical, head)[0]?.note).toMatch(/could not be rendered .*not canonical/);
  });
});
