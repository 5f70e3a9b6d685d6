// A rollback, a revoke, a rollout, a smoke test, an infrastructure deploy, a validation, a bootstrap and a doctor run
// each enter their operation from their action or command in one step, and the operation hands its work to at most 4
// folders with at most 1 climb back up a layer (docs/contributing.md, "How an operation travels").
import { describe, expect, it } from 'vitest';
import { sourceFiles } from './imports.ts';
import { LAYERS } from './layers.ts';
import { formatRoute, readRuntimeImports, routeOf, runtimeImportsOf } from './routes.ts';

const ROOT = `${import.meta.dirname}/../..`;
const imports = readRuntimeImports(ROOT, sourceFiles(ROOT, ['src']));

const ROUTES = [
  { entry: 'src/actions/rollback.ts', operation: 'src/operations/roll-back.ts' },
  { entry: 'src/cli/commands/revoke.ts', operation: 'src/operations/revoke.ts' },
  { entry: 'src/actions/rollout.ts', operation: 'src/operations/roll-out.ts' },
  { entry: 'src/actions/smoke.ts', operation: 'src/operations/smoke.ts' },
  { entry: 'src/actions/deploy-infra.ts', operation: 'src/operations/deploy-infra.ts' },
  { entry: 'src/actions/validate.ts', operation: 'src/operations/validate.ts' },
  { entry: 'src/cli/commands/bootstrap.ts', operation: 'src/operations/bootstrap.ts' },
  { entry: 'src/cli/commands/doctor.ts', operation: 'src/operations/doctor.ts' },
];

describe('how an operation travels', () => {
  it.each(ROUTES)(
    '$entry enters $operation in one step, within 4 folders and 1 climb',
    ({ entry, operation }) => {
      const route = routeOf(LAYERS, imports, entry, operation);
      expect(route.direct, formatRoute(route)).toBe(true);
      expect(route.folders.length, formatRoute(route)).toBeLessThanOrEqual(4);
      expect(route.climbs, formatRoute(route)).toBeLessThanOrEqual(1);
    },
  );

  it('the rollback command hands its flags to the rollback action, which enters the operation', () => {
    const from = 'src/cli/commands/rollback.ts';
    expect(imports.filter((i) => i.from === from).map((i) => i.to)).toContain('src/actions/rollback.ts');
    expect(imports.some((i) => i.from === from && i.to.startsWith('src/operations/'))).toBe(false);
  });

  it('measures a route that goes through a middleman, spreads over folders and climbs back', () => {
    const planted = [
      ...runtimeImportsOf('src/actions/a.ts', "import { run } from './middleman.ts';"),
      ...runtimeImportsOf('src/actions/middleman.ts', "import { op } from '../operations/op.ts';"),
      ...runtimeImportsOf(
        'src/operations/op.ts',
        [
          "import type { Port } from '../aws/port.ts';",
          "import { a } from '../config/a.ts';",
          "import { b } from '../rollout/b.ts';",
          "import { c } from '../contract/c.ts';",
          "import { d } from '../access/d.ts';",
          "import { e } from './e.ts';",
        ].join('\n'),
      ),
    ];
    const route = routeOf(LAYERS, planted, 'src/actions/a.ts', 'src/operations/op.ts');
    expect(route.direct).toBe(false);
    expect(route.steps).not.toContain('src/aws/port.ts');
    expect(route.folders).toEqual([
      'src/actions',
      'src/operations',
      'src/config',
      'src/rollout',
      'src/contract',
      'src/access',
    ]);
    // config -> rollout (core to logic), contract -> access, access -> operations
    expect(route.climbs).toBe(3);
  });
});
