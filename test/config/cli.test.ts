// The commands as a person runs them: node bin/lattice-ingress.mjs <command>, checked through exit code and output.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';
import { renderJsonSchemas, schemaFileName } from '../../src/config/schemas.ts';
import { EXAMPLE_DIR, REPO_ROOT } from './sources.ts';

const FIVE_MISTAKES = 'test/fixtures/config/five-mistakes';
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** As a person runs it: a separate node process. */
function subprocess(args: string[]) {
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'lattice-ingress.mjs'), ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The same entry point in this process (starting tsx for every case would take seconds each). */
async function cli(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(`${a.join(' ')}\n`));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(`${a.join(' ')}\n`));
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => out.push(String(chunk)) > 0);
  try {
    const status = await main(args);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

function copyOfExample(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lattice-ingress-config-'));
  temporary.push(dir);
  cpSync(EXAMPLE_DIR, join(dir, 'config'), { recursive: true });
  return join(dir, 'config');
}

describe('lattice-ingress validate', () => {
  it('prints five located messages for five mistakes in three files, and exits 1', () => {
    const { status, stdout } = subprocess(['validate', '--config', FIVE_MISTAKES]);
    expect(status).toBe(1);
    const located = stdout.split('\n').filter((line) => /^\S+\.yaml:\d+:\d+: error: /.test(line));
    expect(located).toEqual([
      `${FIVE_MISTAKES}/allowlist.yaml:13:11: error: 198.51.100.7/24 has host bits set: the network it describes is 198.51.100.0/24 [cidr-not-canonical]`,
      `${FIVE_MISTAKES}/allowlist.yaml:20:14: error: 192.0.2.10/32 (On-call VPN concentrator) expired on 2025-01-31 [entry-expired]`,
      `${FIVE_MISTAKES}/scaling.yaml:14:16: error: Fargate has no task size with taskCpu 512 and taskMemoryMiB 512 [fargate-size]`,
      `${FIVE_MISTAKES}/services.yaml:24:18: error: services[1].ports[1]: ports may only be 80 (HTTP) and 443 (TLS) [invalid-value]`,
      `${FIVE_MISTAKES}/services.yaml:32:11: error: services[2].auth: Invalid option: expected one of "iam"|"none" [invalid-value]`,
    ]);
    expect(stdout).toContain('  fix: write 198.51.100.0/24');
    expect(stdout).toContain('  fix: did you mean none?');
    expect(stdout.trimEnd().split('\n').at(-1)).toBe('5 error(s), 0 warning(s)');
  });

  it('prints GitHub annotations and JSON', async () => {
    const github = await cli(['validate', '--config', FIVE_MISTAKES, '--format', 'github']);
    expect(github.status).toBe(1);
    const annotations = github.stdout.trim().split('\n');
    expect(annotations).toHaveLength(5);
    expect(annotations[0]).toBe(
      `::error file=${FIVE_MISTAKES}/allowlist.yaml,line=13,col=11,title=cidr-not-canonical::198.51.100.7/24 has host bits set: the network it describes is 198.51.100.0/24%0AFix: write 198.51.100.0/24, or /32 if only that one address was meant`,
    );
    const json = await cli(['validate', '--config', FIVE_MISTAKES, '--format', 'json']);
    expect(JSON.parse(json.stdout).map((d: { code: string }) => d.code)).toEqual([
      'cidr-not-canonical',
      'entry-expired',
      'fargate-size',
      'invalid-value',
      'invalid-value',
    ]);
  });

  it('exits 0 on the example configuration, and 0 with warnings printed', async () => {
    expect((await cli(['validate', '--config', EXAMPLE_DIR])).status).toBe(0);
    const dir = copyOfExample();
    const scaling = join(dir, 'scaling.yaml');
    writeFileSync(scaling, readFileSync(scaling, 'utf8').replace('minTasks: 2', 'minTasks: 1'));
    const { status, stdout } = await cli(['validate', '--config', dir]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/scaling\.yaml:6:11: warning: minTasks is 1/);
    expect(stdout).toContain('0 error(s), 1 warning(s)');
  });

  it('refuses an unknown format (exit 2, with the fix) and a missing directory (exit 1)', async () => {
    const format = await cli(['validate', '--format', 'xml']);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--format xml is not a format\n  fix: use one of text, json, github');
    const missing = await cli(['validate', '--config', 'no-such-dir']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('missing config file(s)');
  });
});

describe('editor schemas', () => {
  it('are committed and current (run npm run schemas after changing src/config/model.ts)', () => {
    for (const [name, content] of renderJsonSchemas()) {
      expect(readFileSync(join(REPO_ROOT, 'config', 'schemas', name), 'utf8'), name).toBe(content);
    }
  });

  it('are referenced by the first line of each config file', () => {
    for (const part of Object.keys(CONFIG_FILES) as ConfigPart[]) {
      const firstLine = readFileSync(join(EXAMPLE_DIR, CONFIG_FILES[part].file), 'utf8').split('\n')[0];
      expect(firstLine).toBe(`# yaml-language-server: $schema=./schemas/${schemaFileName(part)}`);
    }
  });

  it('schemas without --write reports stale files and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lattice-ingress-schemas-'));
    temporary.push(dir);
    expect((await cli(['schemas', '--write', '--out', dir])).status).toBe(0);
    expect((await cli(['schemas', '--out', dir])).status).toBe(0);
    writeFileSync(join(dir, 'scaling.schema.json'), '{}\n');
    const stale = await cli(['schemas', '--out', dir]);
    expect(stale.status).toBe(1);
    expect(stale.stderr).toContain('scaling.schema.json is out of date');
  });
});

describe('lattice-ingress diff', () => {
  it('describes the change since a git ref as Markdown', async () => {
    const config = copyOfExample();
    const repo = join(config, '..');
    const git = (...args: string[]) => execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
    git('init', '-q');
    git(
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@example.com',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'empty',
    );
    git('add', '.');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'config');
    const allowlist = join(config, 'allowlist.yaml');
    writeFileSync(
      allowlist,
      readFileSync(allowlist, 'utf8')
        .replace('cidr: 198.51.100.0/24', 'cidr: 198.51.100.0/23')
        .concat('  - cidr: 100.64.0.0/10\n    description: Carrier NAT partner\n'),
    );
    const { status, stdout, stderr } = await cli(['diff', '--base', 'HEAD', '--config', config]);
    expect(stderr).toBe('');
    expect(status).toBe(0);
    expect(stdout).toContain('**Allowlist:** 1 added, 1 widened');
    expect(stdout).toContain('| ➕ added ⚠️ broad | `100.64.0.0/10` | Carrier NAT partner | — |');
    expect(stdout).toContain('| ↔️ widened | `198.51.100.0/24` → `198.51.100.0/23` |');
    expect(stdout).toMatch(/```diff\n[\s\S]*?^\+100\.64\.0\.0\/10 g0;$/m);
    expect(stdout).toContain('- `100.64.0.0/10` may now reach orders, inventory, status-page');
    // The first commit had no config: everything is added.
    expect((await cli(['diff', '--base', 'HEAD~1', '--config', config])).stdout).toContain(
      '**Services:** 3 added',
    );
    expect((await cli(['diff', '--base', 'no-such-ref', '--config', config])).stderr).toContain(
      'unknown git ref no-such-ref',
    );
  });
});
