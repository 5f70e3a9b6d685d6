#!/usr/bin/env node
// Bundles every actions/<name>/main.ts into actions/<name>/dist/index.js, the file its action.yml runs on node24.
//
//   npm run bundle                      rebuild the committed bundles in place
//   npm run bundle -- --check           rebuild into a temporary directory and fail if a committed bundle differs
//   npm run bundle -- --outdir DIR      write DIR/<name>/dist/index.js instead (used by the staleness test)
//   npm run bundle -- --check --committed DIR   compare with DIR/<name>/dist instead of actions/
//   npm run bundle -- validate rollout  only these actions
//
// The output is a single ES module per action with every dependency inlined, so `uses: ./actions/<name>` works
// from a fresh checkout without `npm ci`. It is byte-for-byte reproducible from the same sources and lock file.
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const actionsDir = join(root, 'actions');

// @actions/core and @actions/github are ESM-only, so the bundle is ESM. Several AWS SDK and Octokit dependencies
// are CommonJS and call require() for Node built-ins, which an ES module does not have: give them one.
const banner = [
  '// Bundled from main.ts by scripts/bundle-actions.mjs; edit the sources and run `npm run bundle`.',
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  'const require = __bundleCreateRequire(import.meta.url);',
].join('\n');

/** Names of the actions that have a main.ts entry. */
async function listActions() {
  const entries = await readdir(actionsDir, { withFileTypes: true });
  const names = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const exists = await stat(join(actionsDir, entry.name, 'main.ts')).then(
      () => true,
      () => false,
    );
    if (exists) names.push(entry.name);
  }
  return names.sort();
}

/** Bundles one action; returns the output files as { relativePath: contents }. */
async function bundleAction(name) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join('actions', name, 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    // Module paths end up in the bundle (as names of CommonJS wrappers): keep them as seen from the repository
    // even when node_modules is a symlink, so the bytes do not depend on where the packages physically live.
    preserveSymlinks: true,
    conditions: ['node', 'import'],
    banner: { js: banner },
    legalComments: 'none',
    charset: 'utf8',
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    write: false,
    outfile: join('actions', name, 'dist', 'index.js'),
    logLevel: 'warning',
  });
  const [output] = result.outputFiles;
  return {
    'dist/index.js': output.text,
    // The bundle is an ES module; say so next to it so it does not depend on the repository's package.json.
    'dist/package.json': `${JSON.stringify({ type: 'module' }, null, 2)}\n`,
  };
}

async function writeBundle(outRoot, name, files) {
  for (const [path, contents] of Object.entries(files)) {
    const target = join(outRoot, name, path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, contents);
  }
}

/** Names of actions whose committed dist differs from a fresh build in freshRoot. */
async function staleActions(names, freshRoot, committedRoot) {
  const stale = [];
  for (const name of names) {
    for (const file of ['dist/index.js', 'dist/package.json']) {
      const fresh = await readFile(join(freshRoot, name, file));
      const committed = await readFile(join(committedRoot, name, file)).catch(() => undefined);
      if (!committed || !fresh.equals(committed)) {
        stale.push(
          `${relative(process.cwd(), join(committedRoot, name, file))}${committed ? ' differs' : ' is missing'}`,
        );
      }
    }
  }
  return stale;
}

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      check: { type: 'boolean', default: false },
      outdir: { type: 'string' },
      committed: { type: 'string' },
    },
  });
  const all = await listActions();
  const unknown = positionals.filter((name) => !all.includes(name));
  if (unknown.length > 0) throw new Error(`no actions/<name>/main.ts for: ${unknown.join(', ')}`);
  const names = positionals.length > 0 ? positionals : all;

  const scratch = values.check ? await mkdtemp(join(tmpdir(), 'bundle-check-')) : undefined;
  const outRoot = scratch ?? (values.outdir ? resolve(values.outdir) : actionsDir);
  try {
    // esbuild builds them side by side, each bundle being independent of the others.
    const bundles = await Promise.all(names.map((name) => bundleAction(name)));
    for (const [index, name] of names.entries()) {
      await writeBundle(outRoot, name, bundles[index]);
      if (!scratch) console.log(`bundled ${relative(root, join(outRoot, name, 'dist', 'index.js'))}`);
    }
    if (scratch) {
      const committedRoot = values.committed ? resolve(values.committed) : actionsDir;
      const stale = await staleActions(names, scratch, committedRoot);
      if (stale.length > 0) {
        console.error(
          `Stale action bundles (run \`npm run bundle\` and commit the result):\n  ${stale.join('\n  ')}`,
        );
        return 1;
      }
      console.log(`${names.length} action bundle(s) up to date`);
    }
    return 0;
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main().catch((error) => {
  console.error(`bundle-actions: ${error instanceof Error ? error.message : String(error)}`);
  return 1;
});
