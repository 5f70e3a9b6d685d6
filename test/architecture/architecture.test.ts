// The repository's shape: no import cycle, and no import running the wrong way between the layers of ./layers.ts.
import { describe, expect, it } from 'vitest';
import {
  formatImport,
  formatWrongWay,
  type Import,
  importCycles,
  importsOf,
  isTestCode,
  readImports,
  sourceFiles,
  wrongWayImports,
} from './imports.ts';
import { LAYERS } from './layers.ts';

const ROOT = `${import.meta.dirname}/../..`;
const ROOTS = ['src', 'infra', 'actions', 'scripts', '.github/scripts', 'bin', 'test'];

const imports = readImports(ROOT, sourceFiles(ROOT, ROOTS));

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
});
