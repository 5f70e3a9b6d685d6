// Expiry is judged one way: src/config/expiry.ts says when an entry has lapsed, and a run's choice of what to do
// with lapsed entries travels as `ParseOptions.expired` (into a `cdk` process through one variable). These checks
// fail when production code grows a second way: its own date comparison, its own variable, its own diagnostic filter.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXPIRY_VARIABLE, expiryEnvironment, expiryFromEnvironment } from '../../src/config/expiry.ts';
import { isTestCode, sourceFiles } from '../architecture/imports.ts';

const ROOT = join(import.meta.dirname, '../..');
const THE_MODULE = 'src/config/expiry.ts';
const production = sourceFiles(ROOT, ['src', 'infra', 'actions', 'scripts', '.github/scripts', 'bin'])
  .filter((path) => !isTestCode(path))
  .map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));

const filesMatching = (pattern: RegExp) =>
  production.filter(({ text }) => pattern.test(text)).map(({ path }) => path);

describe('one way to judge and tolerate expired allowlist entries', () => {
  it('reads the production sources', () => {
    expect(production.map(({ path }) => path)).toContain(THE_MODULE);
  });

  it('compares an `expires` day with today in one module only', () => {
    expect(filesMatching(/\.expires\s*<(?!=)/)).toEqual([THE_MODULE]);
  });

  it('names the variable that carries the choice across processes in one module only', () => {
    expect(filesMatching(new RegExp(EXPIRY_VARIABLE))).toEqual([THE_MODULE]);
    expect(filesMatching(/LATTICE_INGRESS_CONFIG_PURPOSE|process\.env\.[A-Z_]*(PURPOSE|EXPIR)/)).toEqual([]);
  });

  it('leaves the refusal to the expiry rule: nothing filters entry-expired out of the findings', () => {
    expect(filesMatching(/'entry-expired'/)).toEqual(['src/config/rules/allowlist/expiry.ts']);
  });

  it('hands a deploy choice and its day to the CDK app unchanged', () => {
    const now = new Date('2026-12-07T23:59:59Z');
    expect(expiryFromEnvironment(expiryEnvironment('leave-out', now))).toEqual({
      expired: 'leave-out',
      now: new Date('2026-12-07T00:00:00Z'),
    });
    expect(expiryFromEnvironment({})).toEqual({ expired: 'refuse' });
    expect(expiryFromEnvironment({ [EXPIRY_VARIABLE]: 'deploy' })).toEqual({ expired: 'refuse' });
  });
});
