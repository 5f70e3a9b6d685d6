// Benchmark: parse + validate allowlists of 1k, 10k and 100k entries (with duplicates and covered entries, so the
// overlap sweep has work to do). Prints a table, writes bench-results/validate.json, exits 1 over the budget.
//   npm run bench:validate [-- --runs 9]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import jsYaml from 'js-yaml';
import { type ConfigSources, parseConfig } from '../../src/config/load.ts';
import { CONFIG_FILES, type ConfigPart } from '../../src/config/model.ts';

const SIZES = [1_000, 10_000, 100_000];
/** The requirement for 100,000 entries. */
const BUDGET_MS = 2_000;
const ROOT = join(import.meta.dirname, '..', '..');

/**
 * n entries: mostly distinct IPv4 /24s, one in ten an IPv6 /64, one in 500 a /20 that covers its neighbours,
 * one in 1,000 a duplicate of an earlier entry.
 */
export function allowlistText(n: number): string {
  const ipv4 = (i: number, prefix = 24) =>
    `${11 + (i >> 16)}.${(i >> 8) & 255}.${i & (prefix === 24 ? 255 : 240)}.0/${prefix}`;
  const cidrOf = (i: number): string => {
    if (i % 1000 === 999) return cidrOf(i - 500);
    if (i % 500 === 499) return ipv4(i, 20);
    if (i % 10 === 9) return `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
    return ipv4(i);
  };
  const lines = ['allowAnyAddress: false', 'entries:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  - cidr: ${cidrOf(i)}`, `    description: Benchmark entry ${i}`);
    if (i % 7 === 0) lines.push('    expires: 2030-12-31');
  }
  return `${lines.join('\n')}\n`;
}

function sources(allowlist: string): ConfigSources {
  return Object.fromEntries(
    (Object.keys(CONFIG_FILES) as ConfigPart[]).map((part) => {
      const path = join('config', CONFIG_FILES[part].file);
      const bytes =
        part === 'allowlist' ? new TextEncoder().encode(allowlist) : readFileSync(join(ROOT, path));
      return [part, { path, bytes: new Uint8Array(bytes) }];
    }),
  ) as ConfigSources;
}

interface Row {
  entries: number;
  bytes: number;
  runs: number;
  medianMs: number;
  minMs: number;
  microsecondsPerEntry: number;
  /** Bare YAML parse of the same allowlist (js-yaml, no positions, no checks), measured alongside. */
  bareParseMedianMs: number;
  /** medianMs / bareParseMedianMs: what positions, schema and rules cost, robust to a busy machine. */
  ratioToBareParse: number;
  errors: number;
  warnings: number;
}

function median(times: number[]): number {
  return [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
}

function measure(entries: number, runs: number): Row {
  const text = allowlistText(entries);
  const input = sources(text);
  const times: number[] = [];
  const bare: number[] = [];
  let last: ReturnType<typeof parseConfig> | undefined;
  for (let run = 0; run < runs; run++) {
    let start = performance.now();
    jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
    bare.push(performance.now() - start);
    start = performance.now();
    last = parseConfig(input, { now: new Date('2026-01-15T00:00:00Z') });
    times.push(performance.now() - start);
  }
  const diagnostics = last?.diagnostics ?? [];
  return {
    entries,
    bytes: Buffer.byteLength(text),
    runs,
    medianMs: Math.round(median(times)),
    minMs: Math.round(Math.min(...times)),
    microsecondsPerEntry: Math.round((median(times) * 1000) / entries),
    bareParseMedianMs: Math.round(median(bare)),
    ratioToBareParse: Math.round((median(times) / median(bare)) * 10) / 10,
    errors: diagnostics.filter((d) => d.severity === 'error').length,
    warnings: diagnostics.filter((d) => d.severity === 'warning').length,
  };
}

function main(): void {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const runs = Math.max(1, Number(values.runs));
  measure(1_000, 2); // warm up the JIT so the first row is not penalised
  const rows = SIZES.map((n) => measure(n, runs));
  const load = loadavg().map((l) => l.toFixed(2));

  console.log(
    `parse + validate, all four files, allowlist of N entries (${runs} runs; load average ${load.join(' ')})\n`,
  );
  console.log(
    '| entries | size | median ms | min ms | µs/entry | bare YAML parse ms | ratio | errors | warnings |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const row of rows) {
    console.log(
      `| ${row.entries.toLocaleString('en')} | ${(row.bytes / 1e6).toFixed(1)} MB | ${row.medianMs} | ${row.minMs} | ${row.microsecondsPerEntry} | ${row.bareParseMedianMs} | ${row.ratioToBareParse}x | ${row.errors} | ${row.warnings} |`,
    );
  }
  const largest = rows.at(-1) as Row;
  const withinBudget = largest.medianMs < BUDGET_MS;
  console.log(
    `\n${largest.entries.toLocaleString('en')} entries: median ${largest.medianMs} ms, budget ${BUDGET_MS} ms: ${withinBudget ? 'OK' : 'OVER BUDGET'}`,
  );
  const out = join(ROOT, 'bench-results', 'validate.json');
  mkdirSync(dirname(out), { recursive: true });
  const report = {
    benchmark: 'validate',
    date: new Date().toISOString(),
    node: process.version,
    loadAverage: loadavg(),
    budgetMs: BUDGET_MS,
    withinBudget,
    rows,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${out}`);
  process.exitCode = withinBudget ? 0 : 1;
}

if (process.argv[1] === import.meta.filename) main();
