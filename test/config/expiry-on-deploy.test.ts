// An expired allowlist entry fails a pull request, but must not block a deploy or an emergency rollback of what is
// already merged (the running proxy still admits the range until the next deploy): checked for a deploy, it is a
// warning and is left out of the rendered allowlist.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ALLOWLIST_FILE, renderProxy, renderTargetFor } from '../../src/render/render.ts';
import { allowlistYaml, EXAMPLE_DIR, sources, summary, TODAY } from './sources.ts';

const EXPIRED = 'cidr: 192.0.2.0/28, description: Contractor VPN, expires: 2026-01-14';
const CURRENT = 'cidr: 198.51.100.0/24, description: Head office';
const allowlist = allowlistYaml([CURRENT, EXPIRED]);

describe('an expired allowlist entry', () => {
  it('fails pull-request validation (the default)', () => {
    const result = parseConfig(sources({ allowlist }), { now: TODAY });
    expect(result.config).toBeUndefined();
    expect(summary(result)).toEqual(['allowlist.yaml:4:64 error entry-expired']);
  });

  it('is a located warning for a deploy, and the rendered allowlist leaves it out', () => {
    const result = parseConfig(sources({ allowlist }), { now: TODAY, expired: 'leave-out' });
    expect(summary(result)).toEqual(['allowlist.yaml:4:64 warning entry-expired-left-out']);
    expect(result.diagnostics[0]?.message).toBe(
      '192.0.2.0/28 (Contractor VPN) expired on 2026-01-14; it is left out of what is deployed (pull requests still fail on it)',
    );
    const config = result.config;
    if (!config) throw new Error('a deploy must get a config despite the expired entry');
    expect(config.allowlist.entries.map((entry) => entry.cidr)).toEqual(['198.51.100.0/24']);
    const [environment] = config.deployment.environments;
    if (!environment) throw new Error('no environment');
    const rendered = renderProxy(config, renderTargetFor(environment)).get(ALLOWLIST_FILE) ?? '';
    expect(rendered).toContain('198.51.100.0/24');
    expect(rendered).not.toContain('192.0.2.0/28');
  });

  it('still fails a deploy on every other error', () => {
    const broken = allowlistYaml([CURRENT, EXPIRED, 'cidr: 10.1.2.3/8, description: Typo']);
    const result = parseConfig(sources({ allowlist: broken }), { now: TODAY, expired: 'leave-out' });
    expect(result.config).toBeUndefined();
    expect(summary(result)).toContain('allowlist.yaml:5:12 error cidr-not-canonical');
  });
});

describe('lattice-ingress environments --json (the deploy and rollback matrix)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'expired-entry-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists the environments despite an expired entry, warning about it on stderr', async () => {
    cpSync(EXAMPLE_DIR, dir, { recursive: true });
    writeFileSync(join(dir, 'allowlist.yaml'), allowlistYaml([CURRENT, EXPIRED]));
    const out: string[] = [];
    const err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
    try {
      expect(await main(['environments', '--json', '--config', dir])).toBe(0);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    expect(JSON.parse(out.join('\n')).length).toBeGreaterThan(0);
    expect(err.join('\n')).toContain('entry-expired-left-out');
  });
});
