// Property-based: random valid configurations validate without errors; a random hostile or invalid change to any
// value of one is refused with an error on the changed node's line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineCounter, parseDocument } from 'yaml';
import { CONFIG_FILES, type ConfigPart, FARGATE_SIZES, SAFE_TEXT, URL_PATH } from '../../src/config/model.ts';
import { type LeafPath, leaves, parseRaw, type RawConfig, setIn } from './full-config.ts';

const hex = (digits: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${digits}}$`));

/** Distinct IPv4 networks inside 11.0.0.0/8, each in its own /24, with prefixes /24 to /32. */
const ipv4Entries = fc.uniqueArray(
  fc.record({
    slot: fc.integer({ min: 0, max: 65535 }),
    prefix: fc.integer({ min: 24, max: 32 }),
    host: fc.nat(255),
  }),
  { selector: (e) => e.slot, maxLength: 30 },
);
const ipv6Entries = fc.uniqueArray(fc.integer({ min: 1, max: 0xffff }), { maxLength: 10 });

const entryExtras = fc.record(
  {
    description: fc.stringMatching(SAFE_TEXT),
    // After TODAY (2026-01-15) so nothing has expired; some fall in the warning window.
    expires: fc
      .date({ min: new Date('2026-01-16'), max: new Date('2039-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10)),
  },
  { requiredKeys: ['description'] },
);

const allowlist = fc
  .tuple(ipv4Entries, ipv6Entries, fc.array(entryExtras, { minLength: 40, maxLength: 40 }))
  .map(([v4, v6, extras]) => {
    const cidrs = [
      ...v4.map(
        ({ slot, prefix, host }) =>
          `11.${slot >> 8}.${slot & 255}.${host & (256 - 2 ** (32 - prefix))}/${prefix}`,
      ),
      ...v6.map((n) => `2001:db8:${n.toString(16)}::/48`),
    ];
    return { allowAnyAddress: false, entries: cidrs.map((cidr, i) => ({ cidr, ...extras[i] })) };
  });

const serviceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/);
const services = fc
  .uniqueArray(
    fc.record(
      {
        name: serviceName,
        lattice: fc.boolean(),
        ports: fc.constantFrom([443], [80], [443, 80], [80, 443]),
        auth: fc.constantFrom('iam', 'none'),
        path: fc.stringMatching(URL_PATH).filter((p) => p.length < 60),
        expect: fc.integer({ min: 100, max: 599 }),
        id: hex(17),
      },
      { requiredKeys: ['name', 'lattice', 'id'] },
    ),
    { selector: (s) => s.name, minLength: 1, maxLength: 8 },
  )
  .map((list) => ({
    services: list.map(({ name, lattice, id, path, expect, ...rest }) => ({
      name,
      domain: `${name}.example.com`,
      ...(lattice ? { latticeDomain: `${name}-${id}.7d67968.vpc-lattice-svcs.eu-west-1.on.aws` } : {}),
      ...rest,
      ...(path ? { smoke: { path, expect: expect ?? 200 } } : {}),
    })),
  }));

const scaling = fc
  .record({
    cpu: fc.constantFrom(...Object.keys(FARGATE_SIZES).map(Number)),
    memoryIndex: fc.nat(),
    min: fc.integer({ min: 1, max: 50 }),
    extra: fc.integer({ min: 0, max: 50 }),
    desired: fc.option(fc.nat(), { nil: undefined }),
    cpuTargetPercent: fc.integer({ min: 10, max: 90 }),
  })
  .map(({ cpu, memoryIndex, min, extra, desired, cpuTargetPercent }) => {
    const sizes = FARGATE_SIZES[cpu] as readonly number[];
    return {
      minTasks: min,
      maxTasks: min + extra,
      ...(desired === undefined ? {} : { desiredTasks: min + (desired % (extra + 1)) }),
      cpuTargetPercent,
      taskCpu: cpu,
      taskMemoryMiB: sizes[memoryIndex % sizes.length],
    };
  });

const deployment = fc
  .uniqueArray(
    fc.record({
      name: fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/),
      account: fc.stringMatching(/^\d{12}$/),
      region: fc.constantFrom('eu-west-1', 'us-east-1', 'ap-southeast-2'),
      mode: fc.constantFrom('public', 'private', 'both'),
      second: fc.integer({ min: 0, max: 255 }),
      prefix: fc.integer({ min: 16, max: 24 }),
      dualStack: fc.boolean(),
    }),
    { selector: (e) => e.name, minLength: 1, maxLength: 4 },
  )
  .map((envs) => ({
    environments: envs.map(({ second, prefix, ...env }, i) => ({
      ...env,
      // The services above are in eu-west-1, so the first environment is too.
      region: i === 0 ? 'eu-west-1' : env.region,
      vpcCidr: `10.${second}.0.0/${prefix}`,
      github: { repository: 'example-org/lattice-ingress' },
    })),
  }));

const validConfig: fc.Arbitrary<RawConfig> = fc.record({ allowlist, services, scaling, deployment });

/** Line of a node, found with a different YAML parser than the one under test. */
function lineOf(text: string, path: LeafPath): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  return node?.range ? lines.linePos(node.range[0]).line : 0;
}

/** Text that can never be part of a valid value in any field (descriptions excepted, see DESCRIPTION_TEXT). */
const HOSTILE_FRAGMENTS = [
  ';',
  '{',
  '}',
  '"',
  "'",
  '$',
  '\n',
  '#',
  '\\',
  '`',
  '|',
  '\u0430',
  '\uff0e',
  '\u0000',
  ' ; }',
];
/** Ordinary text in a description (O'Brien, Rack #4); descriptions never reach the NGINX config. */
const DESCRIPTION_TEXT = ["'", '#'];

/** A hostile or invalid replacement for a leaf of the given type. */
function mutation(value: unknown, path: LeafPath): fc.Arbitrary<unknown> {
  if (typeof value === 'string') {
    const fragments =
      path.at(-1) === 'description'
        ? HOSTILE_FRAGMENTS.filter((fragment) => !DESCRIPTION_TEXT.includes(fragment))
        : HOSTILE_FRAGMENTS;
    return fc
      .tuple(fc.nat(value.length), fc.constantFrom(...fragments))
      .map(([at, fragment]) => `${value.slice(0, at)}${fragment}${value.slice(at)}`);
  }
  if (typeof value === 'number') return fc.constantFrom(-1, 1.5, 1e9, `${value};`, null, [value]);
  return fc.constantFrom('yes', 1, null, `${String(value)}}`);
}

const parts = Object.keys(CONFIG_FILES) as ConfigPart[];

describe('random configurations', () => {
  it('validate without errors when valid', () => {
    fc.assert(
      fc.property(validConfig, (raw) => {
        const { result } = parseRaw(raw);
        const errors = result.diagnostics.filter((d) => d.severity === 'error');
        expect(errors).toEqual([]);
        expect(result.config).toBeDefined();
      }),
      { numRuns: 150 },
    );
  });

  it('are refused at the mutated node when any value is made hostile or invalid', () => {
    const mutated = validConfig.chain((raw) => {
      const targets = parts.flatMap((part) => leaves(raw[part]).map((leaf) => ({ part, ...leaf })));
      return fc
        .constantFrom(...targets)
        .chain((target) =>
          mutation(target.value, target.path).map((replacement) => ({ raw, target, replacement })),
        );
    });
    fc.assert(
      fc.property(mutated, ({ raw, target, replacement }) => {
        const copy = structuredClone(raw);
        setIn(copy[target.part], target.path, replacement);
        const { texts, result } = parseRaw(copy);
        const line = lineOf(texts[target.part], target.path);
        expect(line).toBeGreaterThanOrEqual(1);
        expect(result.config).toBeUndefined();
        const located = result.diagnostics.filter(
          (d) => d.severity === 'error' && d.file === CONFIG_FILES[target.part].file && d.line === line,
        );
        expect(located, JSON.stringify(result.diagnostics)).not.toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});
