// The repository's shape: no import cycle, and no import running the wrong way between the layers of ./layers.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clientConstructions,
  formatImport,
  formatWrongWay,
  type Import,
  importCycles,
  importsOf,
  ioImportsInInnerLayers,
  isTestCode,
  packageImportsOf,
  readImports,
  readPackageImports,
  sourceFiles,
  wrongWayImports,
} from './imports.ts';
import { INNER_LAYERS, IO_EDGES, LAYERS } from './layers.ts';

const ROOT = `${import.meta.dirname}/../..`;
const ROOTS = ['src', 'infra', 'actions', 'scripts', '.github/scripts', 'bin', 'test'];

const files = sourceFiles(ROOT, ROOTS);
const imports = readImports(ROOT, files);
const innerFolders = LAYERS.filter((layer) => INNER_LAYERS.includes(layer.name)).flatMap((l) => l.folders);
const ioEdges = IO_EDGES.map((edge) => edge.file);

describe('architecture', () => {
  it('reads the imports of the repository', () => {
    expect(imports.length).toBeGreaterThan(300);
    expect(imports).toContainEqual(
      expect.objectContaining({ from: 'src/cli/catalog.ts', to: 'src/cli/commands/validate.ts' }),
    );
  });

  it('has no import cycle', () => {
    const cycles = importCycles(imports.filter((i) => !isTestCode(i.from)));
    expect(cycles.map((cycle) => cycle.map(formatImport))).toEqual([]);
  });

  it('has no import that runs the wrong way between layers', () => {
    expect(wrongWayImports(LAYERS, imports).map(formatWrongWay)).toEqual([]);
  });

  it('loads no file, process or AWS SDK module at run time in an inner layer, except its declared I/O edges', () => {
    expect(ioImportsInInnerLayers(readPackageImports(ROOT, files), innerFolders, ioEdges)).toEqual([]);
  });

  it('constructs AWS SDK and GitHub clients in one module only', () => {
    const texts = files.map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') }));
    expect(clientConstructions(texts)).toEqual([]);
    expect(texts.find((f) => f.path === 'src/aws/clients.ts')?.text).toMatch(/new ECSClient\(/);
  });
});

describe('architecture checks', () => {
  const edge = (from: string, to: string, line = 1): Import => ({ from, to, line });

  it('finds static, re-exported, side-effect and dynamic imports with their lines', () => {
    const text = [
      "import { a } from './a.ts';",
      'import {',
      '  b,',
      "} from '../config/b.ts';",
      "export { c } from './c.ts';",
      "import './d.ts';",
      "const e = () => import('./e.ts');",
      "import { f } from 'node:fs';",
    ].join('\n');
    expect(importsOf('src/render/x.ts', text)).toEqual([
      edge('src/render/x.ts', 'src/render/a.ts', 1),
      edge('src/render/x.ts', 'src/config/b.ts', 4),
      edge('src/render/x.ts', 'src/render/c.ts', 5),
      edge('src/render/x.ts', 'src/render/d.ts', 6),
      edge('src/render/x.ts', 'src/render/e.ts', 7),
    ]);
  });

  it('reports a cycle with every import in it', () => {
    const graph = [
      edge('src/config/a.ts', 'src/config/b.ts', 3),
      edge('src/config/b.ts', 'src/config/a.ts', 7),
      edge('src/config/b.ts', 'src/config/c.ts', 8),
    ];
    expect(importCycles(graph).map((cycle) => cycle.map(formatImport))).toEqual([
      ['src/config/a.ts:3 imports src/config/b.ts', 'src/config/b.ts:7 imports src/config/a.ts'],
    ]);
  });

  it('reports inward-to-outward imports, imports from entry shells, test code and unplaced folders', () => {
    const problems = wrongWayImports(LAYERS, [
      edge('src/render/r.ts', 'src/config/model.ts'),
      edge('src/config/model.ts', 'src/render/r.ts', 2),
      edge('src/actions/a.ts', 'infra/outputs.ts', 3),
      edge('infra/stacks/s.ts', 'src/cli/commands/c.ts', 4),
      edge('src/cli/commands/c.ts', 'src/actions/a.ts'),
      edge('src/render/r.ts', 'test/support/x.ts', 5),
      edge('src/newfolder/n.ts', 'src/config/model.ts', 6),
      edge('test/proxy/t.ts', 'src/actions/a.ts'),
    ]);
    expect(problems.map(formatWrongWay)).toEqual([
      'src/config/model.ts:2 imports src/render/r.ts: src/config (core) must not depend on src/render (logic: pure rendering, planning and rollout decisions over the core)',
      'src/actions/a.ts:3 imports infra/outputs.ts: nothing imports from an entry shell (infra)',
      'infra/stacks/s.ts:4 imports src/cli/commands/c.ts: nothing imports from an entry shell (src/cli)',
      'src/render/r.ts:5 imports test/support/x.ts: production code must not import test code',
      'src/newfolder/n.ts:6 imports src/config/model.ts: src/newfolder/n.ts is in no layer; add its folder to test/architecture/layers.ts',
    ]);
  });

  it('reports runtime imports of I/O packages in inner layers, not type-only ones or outer layers', () => {
    const text = [
      "import { readFile } from 'node:fs/promises';",
      "import type { Stack } from '@aws-sdk/client-cloudformation';",
      "import { type Service, type Task } from '@aws-sdk/client-ecs';",
      "import { ECRClient, type Image } from '@aws-sdk/client-ecr';",
      "import { execFile } from 'node:child_process';",
      "import { join } from 'node:path';",
      "const sts = await import('@aws-sdk/client-sts');",
    ].join('\n');
    const planted = [
      ...packageImportsOf('src/access/planted.ts', text),
      ...packageImportsOf('src/aws/allowed.ts', text),
      ...packageImportsOf('src/config/load.ts', text),
      ...packageImportsOf('src/operations/planted.test.ts', text),
    ];
    expect(ioImportsInInnerLayers(planted, innerFolders, ioEdges)).toEqual([
      'src/access/planted.ts:1 imports node:fs/promises: an inner layer does no I/O; take it through a port',
      'src/access/planted.ts:4 imports @aws-sdk/client-ecr: an inner layer does no I/O; take it through a port',
      'src/access/planted.ts:5 imports node:child_process: an inner layer does no I/O; take it through a port',
      'src/access/planted.ts:7 imports @aws-sdk/client-sts: an inner layer does no I/O; take it through a port',
    ]);
  });

  it('reports a client constructed outside the factory', () => {
    const planted = [
      { path: 'src/cli/commands/planted.ts', text: 'const x = 1;\nconst ec2 = new EC2Client({ region });' },
      { path: '.github/scripts/planted.ts', text: "const octokit = getOctokit(process.env.GH_TOKEN ?? '');" },
      { path: 'src/aws/clients.ts', text: 'new ECSClient(config);' },
      { path: 'test/support/stub.ts', text: 'new ECSClient({});' },
    ];
    expect(clientConstructions(planted)).toEqual([
      'src/cli/commands/planted.ts:2 constructs EC2Client: only src/aws/clients.ts builds clients',
      '.github/scripts/planted.ts:1 constructs getOctokit: only src/aws/clients.ts builds clients',
    ]);
  });
});
