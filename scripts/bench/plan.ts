// Benchmark: the pull-request plan (`lattice-ingress diff --base HEAD`) for one added, one removed and one narrowed
// entry in allowlists of 1k, 10k and 100k entries, next to `validate` of the same files, both run as the CLI runs
// them (in-process, on a throwaway git repository). Prints a table, writes bench-results/plan.json.
//   npm run bench:plan [-- --runs 3 --sizes 1000,10000,100000 --timeout 120]
// Each size runs in its own child process, stopped after --timeout seconds, so a slow plan cannot hang the bench.
import { execFileSync, fork } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { main as cli } from '../../src/cli/main.ts';
import { randomCidrs } from './allowlist.ts';

const ROOT = join(import.meta.dirname, '..', '..');
/** The goal: the plan of one change at the largest size within this many times validate's time. */
const GOAL_RATIO = 3;
const CHANGES = ['added', 'removed', 'narrowed'] as const;
type Change = (typeof CHANGES)[number];

interface Entry {
  cidr: string;
  description: string;
  services?: string[];
}

/** One in five entries is limited to some services (the example config's), so access groups have work to do. */
function entriesOf(cidrs: readonly string[]): Entry[] {
  const limited = [['orders'], ['inventory', 'status-page'], ['status-page']];
  return cidrs.map((cidr, i) => {
    // The description belongs to the entry, so removing one leaves the others unchanged.
    const description = `Benchmark entry ${i}`;
    return i % 5 === 0 ? { cidr, description, services: limited[(i / 5) % 3] } : { cidr, description };
  });
}

function allowlistYaml(entries: readonly Entry[]): string {
  const lines = ['allowAnyAddress: false', 'entries:'];
  entries.forEach((entry) => {
    lines.push(`  - cidr: ${entry.cidr}`, `    description: ${entry.description}`);
    if (entry.services) lines.push(`    services: [${entry.services.join(', ')}]`);
  });
  return `${lines.join('\n')}\n`;
}

/** The head allowlist for a change to `base` (random, non-overlapping IPv4 and IPv6 entries from a fixed seed). */
function changed(base: readonly Entry[], extra: string, change: Change): Entry[] {
  const middle = Math.floor(base.length / 2);
  switch (change) {
    case 'added':
      return [...base, { cidr: extra, description: 'Benchmark entry added', services: ['orders'] }];
    case 'removed':
      return base.filter((_, i) => i !== middle);
    case 'narrowed': {
      // The first entry from the middle on that has a longer prefix to narrow to.
      const at = base.findIndex((entry, i) => i >= middle && !/\/(32|128)$/.test(entry.cidr));
      const [network, prefix] = (base[at] as Entry).cidr.split('/') as [string, string];
      return base.map((entry, i) =>
        i === at ? { ...entry, cidr: `${network}/${Number(prefix) + 1}` } : entry,
      );
    }
  }
}

interface Row {
  entries: number;
  change: Change;
  runs: number;
  validateMs: number;
  diffMs: number;
  ratio: number;
  planBytes: number;
}

function git(dir: string, ...args: string[]): void {
  execFileSync(
    'git',
    ['-C', dir, '-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args],
    {
      stdio: 'ignore',
    },
  );
}

async function timed(run: () => Promise<number>, what: string): Promise<number> {
  const start = performance.now();
  const code = await run();
  const ms = performance.now() - start;
  if (code !== 0) throw new Error(`${what} exited ${code}`);
  return ms;
}

/** Child process: every change at one size, the best of `runs` each (other load only slows a run down). */
async function measureSize(size: number, runs: number): Promise<Row[]> {
  const repo = mkdtempSync(join(tmpdir(), 'bench-plan-'));
  try {
    const config = join(repo, 'config');
    cpSync(join(ROOT, 'config'), config, { recursive: true });
    const cidrs = randomCidrs(size + 1, 11);
    const base = entriesOf(cidrs.slice(0, size));
    writeFileSync(join(config, 'allowlist.yaml'), allowlistYaml(base));
    git(repo, 'init', '--quiet');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'base');
    const output = join(repo, 'plan.md');
    // Once untimed, so the first timed row does not pay for compiling the code paths.
    await cli(['validate', '--config', config]);
    await cli(['diff', '--base', 'HEAD', '--config', config, '--output', output]);
    const rows: Row[] = [];
    for (const change of CHANGES) {
      writeFileSync(
        join(config, 'allowlist.yaml'),
        allowlistYaml(changed(base, cidrs[size] as string, change)),
      );
      const validateMs: number[] = [];
      const diffMs: number[] = [];
      for (let run = 0; run < runs; run++) {
        validateMs.push(await timed(() => cli(['validate', '--config', config]), 'validate'));
        diffMs.push(
          await timed(() => cli(['diff', '--base', 'HEAD', '--config', config, '--output', output]), 'diff'),
        );
      }
      const best = { validate: Math.min(...validateMs), diff: Math.min(...diffMs) };
      rows.push({
        entries: size,
        change,
        runs,
        validateMs: Math.round(best.validate),
        diffMs: Math.round(best.diff),
        ratio: Math.round((best.diff / best.validate) * 10) / 10,
        planBytes: statSync(output).size,
      });
    }
    return rows;
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
}

/** The child's stderr (the CLI's warnings, e.g. about link-local entries) is shown only when the run fails. */
function inChild(size: number, runs: number, timeoutSeconds: number): Promise<Row[] | 'timeout'> {
  return new Promise((resolve, reject) => {
    const child = fork(import.meta.filename, ['--child', String(size), '--runs', String(runs)], {
      timeout: timeoutSeconds * 1000,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    let rows: Row[] | undefined;
    child.on('message', (message) => {
      rows = message as Row[];
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (rows) resolve(rows);
      else if (signal) resolve('timeout');
      else reject(new Error(`the ${size}-entry run exited ${code}:\n${stderr}`));
    });
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      sizes: { type: 'string', default: '1000,10000,100000' },
      timeout: { type: 'string', default: '180' },
      child: { type: 'string' },
    },
  });
  const runs = Math.max(1, Number(values.runs));
  if (values.child) {
    process.send?.(await measureSize(Number(values.child), runs));
    return;
  }
  const sizes = values.sizes.split(',').map(Number);
  const timeoutSeconds = Number(values.timeout);
  const rows: Row[] = [];
  const stopped: number[] = [];
  for (const size of sizes) {
    const result = await inChild(size, runs, timeoutSeconds);
    if (result === 'timeout') stopped.push(size);
    else rows.push(...result);
  }

  console.log(
    `diff --base HEAD against validate, same files, best of ${runs} runs (load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})\n`,
  );
  console.log('| entries | change | validate ms | diff ms | diff / validate | plan size |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(
      `| ${row.entries.toLocaleString('en')} | ${row.change} | ${row.validateMs} | ${row.diffMs} | ${row.ratio}x | ${(row.planBytes / 1024).toFixed(1)} KiB |`,
    );
  }
  for (const size of stopped) {
    console.log(`| ${size.toLocaleString('en')} | (all) | - | > ${timeoutSeconds} s, stopped | - | - |`);
  }
  const largest = Math.max(...sizes);
  const atLargest = rows.filter((row) => row.entries === largest);
  const withinGoal = atLargest.length === CHANGES.length && atLargest.every((row) => row.ratio <= GOAL_RATIO);
  console.log(
    `\n${largest.toLocaleString('en')} entries: plan within ${GOAL_RATIO}x validate: ${withinGoal ? 'met' : 'NOT MET'}`,
  );
  const out = join(ROOT, 'bench-results', 'plan.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    benchmark: 'plan',
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: loadavg(),
    goalRatio: GOAL_RATIO,
    withinGoal,
    timeoutSeconds,
    stopped,
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
  // A missed goal is printed, not failed: it moves with the machine's other load. A stopped size fails.
  process.exitCode = stopped.length > 0 ? 1 : 0;
}

if (process.argv[1] === import.meta.filename) await main();
