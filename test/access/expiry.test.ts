// Allowlist expiry between deployments: the pure judgement, the text edit that removes lapsed entries, and the
// `lattice-ingress expiry` command the scheduled workflow runs.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runningRenders } from '../../.github/scripts/running-renders.ts';
import { replaceEntries } from '../../src/access/allowlist-edit.ts';
import { dailyRedeploy, expiryStatus, runningFleetAdmitsExpired } from '../../src/access/expiry.ts';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { AllowlistEntry } from '../../src/config/model.ts';
import { parseYamlSource } from '../../src/config/yaml-source.ts';
import { EXAMPLE_DIR } from '../config/sources.ts';

const entry = (cidr: string, expires?: string): AllowlistEntry => ({
  cidr,
  description: `range ${cidr}`,
  ...(expires ? { expires } : {}),
});

describe('expiryStatus', () => {
  const entries = [
    entry('192.0.2.1/32', '2026-03-09'),
    entry('192.0.2.2/32', '2026-03-10'),
    entry('192.0.2.3/32', '2026-03-24'),
    entry('192.0.2.4/32', '2026-03-25'),
    entry('192.0.2.5/32'),
  ];

  it('counts an entry valid through its expires day, and warns up to 14 days ahead', () => {
    const status = expiryStatus(entries, '2026-03-10', 14);
    expect(status.expired.map((e) => e.index)).toEqual([0]);
    expect(status.expiringSoon.map((e) => e.index)).toEqual([1, 2]);
  });
});

describe('runningFleetAdmitsExpired', () => {
  it('is true only for an entry that lapsed after the last deployment rendered it', () => {
    const lapsedBeforeDeploy = [entry('192.0.2.1/32', '2026-03-01')];
    const lapsedSince = [entry('192.0.2.1/32', '2026-03-05')];
    const stillValid = [entry('192.0.2.1/32', '2026-03-10')];
    expect(runningFleetAdmitsExpired(lapsedBeforeDeploy, '2026-03-02', '2026-03-10')).toBe(false);
    expect(runningFleetAdmitsExpired(lapsedSince, '2026-03-02', '2026-03-10')).toBe(true);
    // Deployed on its last valid day: still rendered, so still admitted after it.
    expect(runningFleetAdmitsExpired(lapsedSince, '2026-03-05', '2026-03-06')).toBe(true);
    expect(runningFleetAdmitsExpired(stillValid, '2026-03-02', '2026-03-10')).toBe(false);
  });
});

describe('replaceEntries', () => {
  const text = [
    '# header comment',
    'allowAnyAddress: false',
    'entries:',
    '  - cidr: 198.51.100.0/24',
    '    description: Head office',
    '  # The partner, until the contract ends',
    '  - cidr: 203.0.113.16/28',
    '    description: Partner',
    '    # renewal owner: ops',
    '    expires: 2026-01-31',
    '',
    '  - cidr: 192.0.2.10/32',
    '    description: VPN',
    '',
  ].join('\n');

  it('removes an entry with the comments that describe it, and keeps every other byte', () => {
    expect(replaceEntries(parseYamlSource(text), new Map([[1, []]]))).toBe(
      [
        '# header comment',
        'allowAnyAddress: false',
        'entries:',
        '  - cidr: 198.51.100.0/24',
        '    description: Head office',
        '',
        '  - cidr: 192.0.2.10/32',
        '    description: VPN',
        '',
      ].join('\n'),
    );
  });

  it('writes an explicit empty list when every entry goes', () => {
    const result = replaceEntries(
      parseYamlSource(text),
      new Map([
        [0, []],
        [1, []],
        [2, []],
      ]),
    );
    expect(parseYamlSource(result).value).toEqual({ allowAnyAddress: false, entries: [] });
  });

  it('edits a flow-style list too', () => {
    const flow = 'entries: [{cidr: 192.0.2.1/32, description: a}, {cidr: 192.0.2.2/32, description: b}]\n';
    expect(replaceEntries(parseYamlSource(flow), new Map([[1, []]]))).toBe(
      'entries: [ { cidr: 192.0.2.1/32, description: a } ]\n',
    );
  });
});

describe('the daily redeploy decision, judged by what the running images were rendered with', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const record = (createdAt: string, state: string, render?: [string, string]) => ({
    id: 1,
    sha: A,
    imageTag: 't',
    createdAt,
    state,
    ...(render ? { renderedFrom: render[0], renderedOn: render[1] } : {}),
  });

  it('takes the render each environment’s latest successful deployment records', () => {
    const staging = [
      record('2026-03-09T10:00:00Z', 'failure', [B, '2026-03-09']),
      record('2026-03-08T10:00:00Z', 'success', [A, '2026-03-08']),
    ];
    // A rollback on 2026-03-09 to an image rendered on 2026-03-02: its render counts, not the rollback's day.
    const production = [record('2026-03-09T10:00:00Z', 'success', [A, '2026-03-02'])];
    expect(runningRenders([staging, production])).toEqual([
      { commit: A, renderedOn: '2026-03-08' },
      { commit: A, renderedOn: '2026-03-02' },
    ]);
  });

  it('knows nothing of an environment never deployed or recorded without a render', () => {
    expect(runningRenders([[record('2026-03-04T10:00:00Z', 'failure', [A, '2026-03-04'])]])).toEqual([
      undefined,
    ]);
    expect(runningRenders([[record('2026-03-04T10:00:00Z', 'success')]])).toEqual([undefined]);
  });

  it('redeploys when a running image admits an entry lapsed by today, or when one is unknown', () => {
    // Rendered on 2026-03-02, the image kept an entry valid through 2026-03-05 (main may have dropped it since).
    const rolledBack = [entry('192.0.2.1/32', '2026-03-05'), entry('192.0.2.5/32')];
    expect(dailyRedeploy([[entry('192.0.2.5/32')], rolledBack], '2026-03-05')).toBe(false);
    expect(dailyRedeploy([[entry('192.0.2.5/32')], rolledBack], '2026-03-06')).toBe(true);
    expect(dailyRedeploy([[entry('192.0.2.5/32')], undefined], '2026-03-06')).toBe(true);
  });
});

describe('lattice-ingress expiry', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  function configWithLapsedEntry(): string {
    const dir = join(mkdtempSync(join(tmpdir(), 'lattice-ingress-expiry-')), 'config');
    dirs.push(dir);
    cpSync(EXAMPLE_DIR, dir, { recursive: true });
    const path = join(dir, 'allowlist.yaml');
    const lapsed = '  - cidr: 192.0.2.200/32\n    description: Contractor laptop\n    expires: 2026-03-05\n';
    writeFileSync(path, readFileSync(path, 'utf8').replace('entries:\n', `entries:\n${lapsed}`));
    return dir;
  }

  async function run(args: string[]) {
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      return { status: await main(['expiry', ...args]), stdout: out.join('\n') };
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
  }

  it('reports the lapsed entry with its line and says the running fleet still admits it', async () => {
    const dir = configWithLapsedEntry();
    const { status, stdout } = await run([
      '--config',
      dir,
      '--json',
      '--today',
      '2026-03-10',
      '--deployed-on',
      '2026-03-01',
    ]);
    expect(status).toBe(0);
    const report = JSON.parse(stdout);
    expect(report.expired).toEqual([
      { line: 13, cidr: '192.0.2.200/32', description: 'Contractor laptop', expires: '2026-03-05' },
    ]);
    expect(report.redeploy).toBe(true);
  });

  it('--write leaves an allowlist that validates, without the lapsed entry', async () => {
    const dir = configWithLapsedEntry();
    expect((await run(['--config', dir, '--write', '--today', '2026-03-10'])).status).toBe(0);
    const { config, diagnostics } = await loadConfig(dir, { now: new Date('2026-03-10T00:00:00Z') });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(config?.allowlist.entries.map((e) => e.cidr)).not.toContain('192.0.2.200/32');
  });

  it('refuses a malformed date before reading anything', async () => {
    await expect(run(['--today', '10/03/2026'])).resolves.toMatchObject({ status: 1 });
  });
});
