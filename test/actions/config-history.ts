// A git repository whose commits hold configurations, for the rollback's access comparison: it reads the
// configuration of the commit a deployment was made from, so the deployments the tests seed name real commits.
import { execFileSync } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

export interface ConfigHistory {
  root: string;
  configDir: string;
  /** The commits, oldest first. */
  shas: string[];
  remove(): Promise<void>;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

/** One commit per step: the sample configuration, changed by each step in turn (a step may change nothing). */
export async function configHistory(
  ...steps: ((configDir: string) => Promise<void>)[]
): Promise<ConfigHistory> {
  const root = await mkdtemp(join(tmpdir(), 'config-history-'));
  const configDir = join(root, 'config');
  git(root, 'init', '-q');
  await cp(SAMPLE_CONFIG_DIR, configDir, { recursive: true });
  const shas: string[] = [];
  for (const [index, step] of steps.entries()) {
    await step(configDir);
    git(root, 'add', '.');
    git(root, 'commit', '-q', '--allow-empty', '-m', `configuration ${index + 1}`);
    shas.push(git(root, 'rev-parse', 'HEAD'));
  }
  return { root, configDir, shas, remove: () => rm(root, { recursive: true, force: true }) };
}

export const unchanged = async () => {};
