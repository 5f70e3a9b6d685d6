// Which folder may import which, as data. Folders sit in layers, innermost first: a module may import from its own
// folder, from any folder of its own layer (except the entry shells) and from any folder of an inner layer.
// Nothing imports from an entry shell, except the pairs listed in ENTRY_SHELL_IMPORTS.

export interface Layer {
  name: string;
  /** Why the layer exists, for the failure message. */
  role: string;
  folders: readonly string[];
}

export const LAYERS: readonly Layer[] = [
  {
    name: 'core',
    role: 'the config model, its rules, and the contract derived from an environment',
    folders: ['src/config', 'src/contract'],
  },
  {
    name: 'logic',
    role: 'pure rendering, planning and rollout decisions over the core',
    folders: ['src/render', 'src/diff', 'src/rollout', 'src/access', 'src/smoke-plan', 'src/bootstrap-plan'],
  },
  {
    name: 'operations',
    role: 'one use case per verb: a request, declared ports, an outcome',
    folders: ['src/operations'],
  },
  {
    name: 'adapters',
    role: 'I/O: AWS, GitHub, Docker, external programs, HTTP probes, the local stack',
    folders: ['src/aws', 'src/github', 'src/build', 'src/process', 'src/smoke', 'src/local'],
  },
  {
    name: 'entry shells',
    role: 'what a person or a runner starts: actions, the CLI, the CDK app, scripts',
    folders: ['src/actions', 'src/cli', 'infra', 'actions', 'scripts', '.github/scripts', 'bin'],
  },
];

export const ENTRY_SHELL = 'entry shells';

/** The layers that do no I/O of their own: they reach files, processes and AWS only through ports. */
export const INNER_LAYERS = ['core', 'logic', 'operations'];

/**
 * The few modules of an inner layer that still read or write files or run git, each with its reason. Each is the
 * I/O edge of its folder, called only from entry shells and adapters; nothing else in those folders may do I/O.
 */
export const IO_EDGES: readonly { file: string; why: string }[] = [
  { file: 'src/config/load.ts', why: 'readConfigSources reads the four YAML files that loadConfig parses' },
  { file: 'src/render/templates.ts', why: 'reads the Handlebars templates of proxy/templates' },
  { file: 'src/render/render.ts', why: 'writeRendered writes the rendered files for the image build' },
  { file: 'src/diff/git.ts', why: 'reads the configuration of another commit with git show' },
];

/** The only imports from one entry shell into another, each with its reason. */
export const ENTRY_SHELL_IMPORTS: readonly { from: string; to: string; why: string }[] = [
  {
    from: 'actions',
    to: 'src/actions',
    why: 'actions/<name>/main.ts is the bundled entry of src/actions/<name>.ts',
  },
  {
    from: 'infra',
    to: 'scripts',
    why: 'infra/rollout-time.ts writes its documentation block with scripts/generated-block.ts',
  },
  {
    from: 'scripts',
    to: 'infra',
    why: 'bench:rollout takes its timings from the synthesized template, read as infra/rollout-time.ts reads them',
  },
  { from: 'bin', to: 'src/cli', why: 'bin/lattice-ingress.mjs starts the CLI through tsx' },
  {
    from: 'scripts',
    to: 'src/cli',
    why: "scripts/cli-table.ts writes README.md's command table from the command definitions",
  },
  {
    from: 'src/cli',
    to: 'src/actions',
    why: '`lattice-ingress rollback` runs the rollback action from a workstation',
  },
];

/** Test code: production code never imports it. */
export const TEST_CODE = [/^test\//, /^infra\/test\//, /\.test\.ts$/];
