// What `npm start` and `npm test` set up: the packages npm ci installed are not installed a second time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { installedMatchesLock } from '../../scripts/setup/npm.mjs';
import { REPO_ROOT } from '../support/run-action.ts';

const lock = {
  packages: {
    '': { name: 'lattice-ingress' },
    'node_modules/yaml': { version: '2.9.1' },
    'node_modules/fsevents': { version: '2.3.3', optional: true },
  },
};

describe('setup', () => {
  it('takes node_modules as installed when npm recorded the lock file versions (after the npm ci of the quick start)', () => {
    expect(installedMatchesLock(lock, { packages: { 'node_modules/yaml': { version: '2.9.1' } } })).toBe(
      true,
    );
    expect(installedMatchesLock(lock, { packages: { 'node_modules/yaml': { version: '2.8.0' } } })).toBe(
      false,
    );
    expect(installedMatchesLock(lock, { packages: {} })).toBe(false);
    expect(installedMatchesLock(lock, undefined)).toBe(false);
  });

  it('has npm start set up only what it runs, and npm test the rest', () => {
    const scripts = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts;
    expect(scripts.prestart).toBe('node scripts/setup.mjs start');
    expect(scripts.pretest).toBe('node scripts/setup.mjs test');
  });
});
