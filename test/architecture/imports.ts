// The import graph of the repository's own TypeScript, and the two checks run on it: import cycles, and imports that
// run the wrong way between the layers of ./layers.ts. Pure functions over a graph, plus one that reads the files.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { ENTRY_SHELL, ENTRY_SHELL_IMPORTS, type Layer, TEST_CODE } from './layers.ts';

export interface Import {
  /** Repository-relative paths. */
  from: string;
  to: string;
  /** 1-based line of the specifier in `from`. */
  line: number;
}

const SPECIFIER = [
  /^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'/gm,
  /^\s*import\s+'(\.[^']+)'/gm,
  /\bimport\(\s*'(\.[^']+)'\s*\)/g,
];

/** The relative imports of one file, static and dynamic, resolved to repository-relative paths. */
export function importsOf(path: string, text: string): Import[] {
  const found: Import[] = [];
  for (const pattern of SPECIFIER) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1] as string;
      const offset = (match.index ?? 0) + match[0].lastIndexOf(specifier);
      const line = text.slice(0, offset).split('\n').length;
      found.push({ from: path, to: normalize(join(dirname(path), specifier)), line });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** Every .ts file under the roots, skipping bundles, synth output and dependencies. */
export function sourceFiles(root: string, folders: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!['node_modules', 'dist', 'cdk.out'].includes(entry.name)) walk(path);
      } else if (/\.(ts|mjs)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) {
        files.push(path);
      }
    }
  };
  for (const folder of folders) walk(folder);
  return files.sort();
}

export function readImports(root: string, files: readonly string[]): Import[] {
  return files.flatMap((file) =>
    importsOf(file, readFileSync(join(root, file), 'utf8')).map((i) => ({ ...i, to: relative('.', i.to) })),
  );
}

export const isTestCode = (path: string) => TEST_CODE.some((pattern) => pattern.test(path));

function placeOf(layers: readonly Layer[], path: string): { layer: number; folder: string } | undefined {
  let best: { layer: number; folder: string } | undefined;
  layers.forEach((layer, index) => {
    for (const folder of layer.folders) {
      if (path.startsWith(`${folder}/`) && (!best || folder.length > best.folder.length))
        best = { layer: index, folder };
    }
  });
  return best;
}

export const formatImport = (i: Import) => `${i.from}:${i.line} imports ${i.to}`;

export interface WrongWayImport {
  import: Import;
  /** The rule it breaks. */
  reason: string;
}

export const formatWrongWay = (w: WrongWayImport) => `${formatImport(w.import)}: ${w.reason}`;

/** Imports that break the layering, each with the rule it breaks. Test code may import anything. */
export function wrongWayImports(layers: readonly Layer[], imports: readonly Import[]): WrongWayImport[] {
  const problems: WrongWayImport[] = [];
  for (const i of imports) {
    const reason = isTestCode(i.from) ? undefined : breaksLayering(layers, i);
    if (reason) problems.push({ import: i, reason });
  }
  return problems;
}

function breaksLayering(layers: readonly Layer[], i: Import): string | undefined {
  if (isTestCode(i.to)) return 'production code must not import test code';
  const from = placeOf(layers, i.from);
  const to = placeOf(layers, i.to);
  if (!from || !to)
    return `${from ? i.to : i.from} is in no layer; add its folder to test/architecture/layers.ts`;
  if (from.folder === to.folder) return undefined;
  const fromLayer = layers[from.layer] as Layer;
  const toLayer = layers[to.layer] as Layer;
  if (to.layer > from.layer)
    return `${from.folder} (${fromLayer.name}) must not depend on ${to.folder} (${toLayer.name}: ${toLayer.role})`;
  const allowed = ENTRY_SHELL_IMPORTS.some((pair) => pair.from === from.folder && pair.to === to.folder);
  if (toLayer.name === ENTRY_SHELL && !allowed) return `nothing imports from an entry shell (${to.folder})`;
  return undefined;
}

/** Every import cycle among the files (strongly connected components), each listed as its imports. */
export function importCycles(imports: readonly Import[]): Import[][] {
  const edges = new Map<string, Import[]>();
  for (const i of imports) edges.set(i.from, [...(edges.get(i.from) ?? []), i]);
  // Tarjan's algorithm, recursive: import chains here are a few dozen files long at most.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const { to } of edges.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node) as number, low.get(to) as number));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node) as number, index.get(to) as number));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    components.push(component);
  };
  for (const node of edges.keys()) if (!index.has(node)) visit(node);
  return components
    .map((component) => new Set(component))
    .filter((members) => members.size > 1 || imports.some((i) => members.has(i.from) && i.from === i.to))
    .map((members) => imports.filter((i) => members.has(i.from) && members.has(i.to)));
}

/** An import of a package (not a relative path), and whether it brings in only types. */
export interface PackageImport {
  from: string;
  specifier: string;
  line: number;
  typeOnly: boolean;
}

const PACKAGE_SPECIFIER = [
  /^\s*(import|export)\s([^;]*?)\sfrom\s+'([^.'][^']*)'/gm,
  /^\s*()import()\s+'([^.'][^']*)'/gm,
  /\bimport()()\(\s*'([^.'][^']*)'\s*\)/g,
];

/** `import type { A }` and `import { type A, type B }` load nothing at run time. */
export function onlyTypes(clause: string): boolean {
  if (/^\s*type\s/.test(clause)) return true;
  const named = /^\s*\{([^}]*)\}\s*$/.exec(clause);
  if (!named) return false;
  const names = (named[1] as string).split(',').filter((name) => name.trim() !== '');
  return names.length > 0 && names.every((name) => /^\s*type\s/.test(name));
}

export function packageImportsOf(path: string, text: string): PackageImport[] {
  const found: PackageImport[] = [];
  for (const pattern of PACKAGE_SPECIFIER) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[3] as string;
      const offset = (match.index ?? 0) + match[0].lastIndexOf(specifier);
      const line = text.slice(0, offset).split('\n').length;
      found.push({ from: path, specifier, line, typeOnly: onlyTypes(match[2] ?? '') });
    }
  }
  return found.sort((a, b) => a.line - b.line);
}

/** What an inner layer must not load at run time: files, processes, AWS. */
export const IO_PACKAGES = [/^node:fs(\/promises)?$/, /^node:child_process$/, /^@aws-sdk\//];

/** Runtime imports of I/O packages by production code in the given folders, except the declared I/O edges. */
export function ioImportsInInnerLayers(
  imports: readonly PackageImport[],
  innerFolders: readonly string[],
  ioEdges: readonly string[],
): string[] {
  return imports
    .filter((i) => !i.typeOnly && !isTestCode(i.from) && !ioEdges.includes(i.from))
    .filter((i) => innerFolders.some((folder) => i.from.startsWith(`${folder}/`)))
    .filter((i) => IO_PACKAGES.some((pattern) => pattern.test(i.specifier)))
    .map(
      (i) => `${i.from}:${i.line} imports ${i.specifier}: an inner layer does no I/O; take it through a port`,
    );
}

export function readPackageImports(root: string, files: readonly string[]): PackageImport[] {
  return files.flatMap((file) => packageImportsOf(file, readFileSync(join(root, file), 'utf8')));
}

/** The one module allowed to construct AWS SDK and GitHub clients. */
export const CLIENT_FACTORY = 'src/aws/clients.ts';

const CONSTRUCTION = /\bnew\s+([A-Z]\w*Client)\s*\(|\b(getOctokit)\s*\(|\bnew\s+(Octokit)\s*\(/g;

/** Production files other than the factory that construct a client, each with the line. */
export function clientConstructions(files: readonly { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    if (path === CLIENT_FACTORY || isTestCode(path)) continue;
    for (const match of text.matchAll(CONSTRUCTION)) {
      const line = text.slice(0, match.index).split('\n').length;
      const what = match[1] ?? match[2] ?? match[3];
      found.push(`${path}:${line} constructs ${what}: only ${CLIENT_FACTORY} builds clients`);
    }
  }
  return found;
}
