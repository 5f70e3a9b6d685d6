// `lattice-ingress start` end to end, as a user runs it: real nginx, haproxy, DNS and stand-ins on loopback.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/local/proc.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';
import { processesMentioning, ROOT, runCli, runInRoot, until } from './support.ts';

/** Runs the printed `lattice-ingress call` line for orders with the printed test credentials: it gets a 200. */
async function expectCallLineWorks(output: string) {
  const line = output.match(/^ {2}(node bin\/lattice-ingress\.mjs call orders .*)$/m)?.[1];
  expect(line, output).toBeDefined();
  const credentials = Object.fromEntries(
    [...(output.match(/^ {2}export (.*)$/m)?.[1] ?? '').matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]),
  );
  const [command = '', ...args] = (line ?? '').split(' ');
  const { stdout } = await promisify(execFile)(command === 'node' ? process.execPath : command, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: scratch, AWS_EC2_METADATA_DISABLED: 'true', ...credentials },
  });
  expect(stdout).toMatch(/^HTTP 200 /m);
}

const scratch = mkdtempSync(join(tmpdir(), 'start-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('lattice-ingress start', () => {
  it('--once brings the stack up, passes every check, prints the table and leaves nothing running', async () => {
    const run = runCli(['start', '--once', '--config', SAMPLE_CONFIG_DIR]);
    const { code } = await run.exited;
    const output = run.output();
    expect(output, output).toMatch(/Configuration \S*fixtures\/config\/sample\/ is valid/);
    expect(code, output).toBe(0);
    // One row per service and port of the sample config, the refusals, and the unknown names.
    for (const row of [
      /orders\s+443\s+200\s+200\s+.*ok/,
      /orders\s+80\s+200\s+200\s+.*ok/,
      /inventory\s+443\s+200\s+200\s+.*ok/,
      /status-page\s+443\s+200\s+200\s+.*ok/,
      /status-page\s+80\s+200\s+200\s+.*ok/,
      /orders from 127\.0\.0\.2\s+443\s+refused\s+closed\s+.*ok/,
      /orders from 127\.0\.0\.2\s+80\s+refused\s+403 \(proxy\)\s+.*ok/,
      /unknown SNI\s+443\s+refused\s+closed\s+.*ok/,
      /unknown Host\s+80\s+refused\s+421 \(proxy\)\s+.*ok/,
    ]) {
      expect(output).toMatch(row);
    }
    expect(output).toMatch(/\b9 of 9 checks passed/);
    expect(output).not.toMatch(/FAILED/);
    const pids = [...output.matchAll(/\(.*pid (\d+)\)/g)].map((match) => Number(match[1]));
    expect(pids).toHaveLength(2); // nginx and haproxy
    expect(pids.filter(isAlive)).toEqual([]);
  });

  it('stops everything and removes its files on SIGTERM while up', async () => {
    const run = runCli(['start', '--config', SAMPLE_CONFIG_DIR]);
    await run.waitFor(/Up until Ctrl-C/);
    const [, renderDir = ''] = run.output().match(/Rendered config: (\S+)/) ?? [];
    const stackDir = join(renderDir, '..');
    expect(existsSync(stackDir)).toBe(true);
    const running = processesMentioning(stackDir);
    expect(running.length).toBeGreaterThanOrEqual(2); // the nginx master and haproxy at least
    await expectCallLineWorks(run.output());
    run.child.kill('SIGTERM');
    const { code } = await run.exited;
    expect(code, run.output()).toBe(0);
    expect(run.output()).toMatch(/SIGTERM: stopping the local stack/);
    expect(running.filter(isAlive)).toEqual([]);
    expect(processesMentioning(stackDir)).toEqual([]);
    expect(existsSync(stackDir)).toBe(false);
  });

  it('stops everything when `npm start` is sent SIGTERM (npm passes it to its shell only)', async () => {
    const run = runInRoot('npm', ['start', '--', '--config', SAMPLE_CONFIG_DIR], 120_000);
    await run.waitFor(/Up until Ctrl-C/);
    const [, renderDir = ''] = run.output().match(/Rendered config: (\S+)/) ?? [];
    const stackDir = join(renderDir, '..');
    const running = processesMentioning(stackDir);
    expect(running.length).toBeGreaterThanOrEqual(2); // the nginx master and haproxy at least
    run.child.kill('SIGTERM');
    await run.exited;
    await until(() => processesMentioning(stackDir).length === 0, 'the stack to stop');
    expect(running.filter(isAlive)).toEqual([]);
    expect(existsSync(stackDir)).toBe(false);
    expect(run.output()).toMatch(/SIGTERM: stopping the local stack/);
  }, 150_000);

  it('stops at an invalid configuration with the located diagnostics and starts nothing', async () => {
    const config = join(scratch, 'config');
    cpSync(SAMPLE_CONFIG_DIR, config, { recursive: true });
    const allowlist = join(config, 'allowlist.yaml');
    writeFileSync(
      allowlist,
      readFileSync(allowlist, 'utf8').replace('cidr: 198.51.100.0/24', 'cidr: 198.51.100.7/24'),
    );
    const run = runCli(['start', '--once', '--config', config]);
    const { code } = await run.exited;
    expect(code, run.output()).toBe(1);
    expect(run.output()).toMatch(/allowlist\.yaml:\d+:\d+: error: .*198\.51\.100\.7\/24/);
    expect(run.output()).toMatch(/Nothing was started/);
    expect(run.output()).not.toMatch(/Starting on loopback/);
  });
});
