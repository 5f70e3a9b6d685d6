// `npx tsx scripts/hostile-clients.ts`: the tables of docs/proxy.md (Modern and hostile clients), from the proxy
// suites that drive the real nginx on both builds: each ClientHello shape × nginx build -> routed or not
// (test/proxy/client-hellos.test.ts), the close time of each kind of slow client, and a good client's latency
// while 300 idle connections are held (test/proxy/slow-clients.test.ts). The suites record what they measured in
// their tests' metadata; this runs them with vitest's JSON reporter, prints the tables and writes
// bench-results/hostile-clients.json. Loopback only; every connection is bounded by the tests' own limits.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['test/proxy/client-hellos.test.ts', 'test/proxy/slow-clients.test.ts'];
const BUILDS = { 'nginx-1.22': 'nginx 1.22 (debian)', 'nginx-1.30': 'nginx 1.30 (image)' } as const;
type Project = keyof typeof BUILDS;

interface TestResult {
  project: Project;
  describe: string;
  title: string;
  passed: boolean;
  meta: Record<string, number | boolean>;
}

/** Runs the suites on one nginx build; a failing test is a result here (shown as such), not a reason to stop. */
async function runSuites(project: Project): Promise<TestResult[]> {
  const dir = await mkdtemp(join(tmpdir(), 'hostile-clients-'));
  const report = join(dir, 'report.json');
  try {
    await promisify(execFile)(
      'npx',
      ['vitest', 'run', ...SUITES, '--project', project, '--reporter=json', `--outputFile=${report}`],
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024 },
    ).catch(() => undefined);
    const parsed = JSON.parse(await readFile(report, 'utf8')) as {
      testResults: {
        assertionResults: {
          ancestorTitles: string[];
          title: string;
          status: string;
          meta?: TestResult['meta'];
        }[];
      }[];
    };
    return parsed.testResults.flatMap((file) =>
      file.assertionResults.map((result) => ({
        project,
        describe: result.ancestorTitles.join(' > '),
        title: result.title,
        passed: result.status === 'passed',
        meta: result.meta ?? {},
      })),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function table(header: string[], rows: string[][]): string {
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

const projects = Object.keys(BUILDS) as Project[];
const results: TestResult[] = [];
for (const project of projects) results.push(...(await runSuites(project)));
const cell = (project: Project, match: (result: TestResult) => boolean, show: (r: TestResult) => string) => {
  const result = results.find((r) => r.project === project && match(r));
  return result ? show(result) : 'not run';
};

const shapes = [...new Set(results.filter((r) => r.title === 'is routed by its SNI').map((r) => r.describe))];
const helloTable = table(
  ['ClientHello (Node 24, X25519MLKEM768)', ...projects.map((p) => BUILDS[p])],
  shapes.map((shape) => [
    `${shape.replace('a post-quantum ClientHello ', '')}`,
    ...projects.map((project) =>
      cell(
        project,
        (r) => r.describe === shape && r.title === 'is routed by its SNI',
        (r) => (r.passed ? `routed by SNI (${r.meta.helloBytes} bytes)` : 'NOT routed'),
      ),
    ),
  ]),
);

const kinds = [...new Set(results.filter((r) => 'closeMs' in r.meta).map((r) => r.title))];
const slowTable = table(
  ['Slow client (timeout)', ...projects.map((p) => `${BUILDS[p]}: closed after`)],
  kinds.map((kind) => [
    kind,
    ...projects.map((project) =>
      cell(
        project,
        (r) => r.title === kind,
        (r) => (r.passed ? `${(Number(r.meta.closeMs) / 1000).toFixed(1)} s` : 'NOT closed in 30 s'),
      ),
    ),
  ]),
);

const idle = (r: TestResult) => 'tlsMs' in r.meta;
const idleTable = table(
  ['Good client while 300 idle connections are held', ...projects.map((p) => BUILDS[p])],
  [
    ['TLS handshake through the proxy', 'tlsMs'],
    ['HTTP request through the proxy', 'httpMs'],
  ].map(([what, key]) => [
    what as string,
    ...projects.map((project) =>
      cell(project, idle, (r) => (r.passed ? `${r.meta[key as string]} ms` : 'FAILED')),
    ),
  ]),
);

console.log(`${helloTable}\n\n${slowTable}\n\n${idleTable}`);
const out = join(ROOT, 'bench-results', 'hostile-clients.json');
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`\nwrote ${out}`);
