import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  findEnvironment,
  InvalidConfigError,
  lookUpEnvironment,
  openConfigDir,
  requireValidConfig,
  UnknownEnvironmentError,
} from '../../src/config/valid-config.ts';
import { EXAMPLE_DIR, TODAY } from './sources.ts';

const broken = mkdtempSync(join(tmpdir(), 'valid-config-'));
afterAll(() => rmSync(broken, { recursive: true, force: true }));

describe('requireValidConfig', () => {
  it('returns the example configuration and its warnings', async () => {
    const { config, warnings } = await requireValidConfig(EXAMPLE_DIR, { now: TODAY });
    expect(config.deployment.environments.map((env) => env.name)).toEqual(['staging', 'production']);
    expect(warnings).toEqual([]);
  });

  it('refuses a configuration with an error, carrying the located diagnostics', async () => {
    cpSync(EXAMPLE_DIR, broken, { recursive: true });
    writeFileSync(join(broken, 'scaling.yaml'), 'minTasks: 2\n');
    const refused = await requireValidConfig(broken, { now: TODAY }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(InvalidConfigError);
    const { diagnostics, message } = refused as InvalidConfigError;
    expect(diagnostics.map((d) => d.code)).toContain('missing-key');
    expect(message).toMatch(/ has errors:\n.*scaling\.yaml:1:1: error: /);
  });
});

describe('openConfigDir', () => {
  it('returns an invalid configuration as its diagnostics instead of throwing', async () => {
    cpSync(EXAMPLE_DIR, broken, { recursive: true });
    writeFileSync(join(broken, 'scaling.yaml'), 'minTasks: 2\n');
    const opening = await openConfigDir(broken, { now: TODAY });
    expect(opening.state).toBe('invalid');
    expect(opening.state === 'invalid' && opening.diagnostics.map((d) => d.code)).toContain('missing-key');
    expect(await openConfigDir(EXAMPLE_DIR, { now: TODAY })).toMatchObject({ state: 'opened', warnings: [] });
  });
});

describe('findEnvironment', () => {
  it('finds an environment by name and names the known ones when there is none', async () => {
    const { config } = await requireValidConfig(EXAMPLE_DIR, { now: TODAY });
    expect(findEnvironment(config, 'production').name).toBe('production');
    expect(() => findEnvironment(config, 'qa')).toThrow(UnknownEnvironmentError);
    expect(() => findEnvironment(config, 'qa')).toThrow(
      'no environment "qa" in deployment.yaml (known: staging, production)',
    );
    expect(lookUpEnvironment(config, 'qa')).toEqual({
      unknown: 'no environment "qa" in deployment.yaml (known: staging, production)',
    });
    expect(lookUpEnvironment(config, 'staging')).toMatchObject({ environment: { name: 'staging' } });
  });
});
