// docs/contributing.md stays true where it can be checked: every repository path it names exists (a <placeholder>
// stands for any one name), every npm script and vitest project it names is defined, and every test it quotes by name
// is in the file it names.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-action.ts';

const DOC = readFileSync(join(REPO_ROOT, 'docs/contributing.md'), 'utf8')
  .replace(/&lt;/g, '<')
  .replace(/&gt;/g, '>');
const TREE_DESCRIPTION_COLUMN = 24;

/** The paths of the "Where things live" tree: a folder's children are indented under it. */
function treePaths(block: string): string[] {
  const parents: { indent: number; path: string }[] = [];
  const paths: string[] = [];
  for (const line of block.split('\n')) {
    const names = line.slice(0, TREE_DESCRIPTION_COLUMN).match(/[\w.<>-]+\/?(?=,|\s|$)/g) ?? [];
    if (names.length === 0) continue;
    const indent = line.length - line.trimStart().length;
    while ((parents.at(-1)?.indent ?? -1) >= indent) parents.pop();
    const parent = parents.at(-1)?.path ?? '';
    for (const name of names) paths.push(parent + name);
    if (names.length === 1 && names[0]?.endsWith('/')) parents.push({ indent, path: parent + names[0] });
  }
  return paths;
}

/** Repository paths in code spans and link targets: words with a slash, or a file name with an extension. */
function namedPaths(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  const words = [
    // A span with `key: value` is YAML (`main: dist/index.js`), not a path in the repository.
    ...[...prose.matchAll(/`([^`]+)`/g)]
      .filter(([, span = '']) => !/^\w+: /.test(span))
      .flatMap(([, span = '']) => span.split(/\s+/)),
    ...[...prose.matchAll(/\]\(\.\.\/([^)#]+)/g)].map(([, target = '']) => target),
  ];
  return words
    .map((word) => word.replace(/^\.\.\//, '').replace(/[,:;]$/, ''))
    .filter((word) => /^[\w.<>*-]+\/[\w.<>*/-]*$/.test(word) && !word.startsWith('http'));
}

/** Whether a path exists, reading `<placeholder>` as any one name and `*` as any part of a name. */
function exists(path: string): boolean {
  const walk = (dir: string, segments: string[]): boolean => {
    const [segment, ...rest] = segments;
    if (segment === undefined || segment === '') return existsSync(dir);
    if (!/[<*]/.test(segment)) return walk(join(dir, segment), rest);
    const pattern = new RegExp(
      `^${segment
        .replace(/<[^>]+>/g, '[^/]+')
        .replace(/\*/g, '[^/]*')
        .replace(/\./g, '\\.')}$`,
    );
    if (!existsSync(dir)) return false;
    return readdirSync(dir).some((entry) => pattern.test(entry) && walk(join(dir, entry), rest));
  };
  return walk(REPO_ROOT, path.split('/'));
}

describe('docs/contributing.md', () => {
  it('names only repository paths that exist, in the tree and in the text', () => {
    const tree = /## Where things live\n\n```\n([\s\S]*?)```/.exec(DOC)?.[1] ?? '';
    const paths = [...treePaths(tree), ...namedPaths(DOC)];
    expect(paths.length).toBeGreaterThan(40);
    expect(paths.filter((path) => !exists(path))).toEqual([]);
  });

  it('names only npm scripts the package defines, and vitest projects the config defines', () => {
    const scripts = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts);
    const named = [...DOC.matchAll(/`npm (?:run (\S+)|(test|start))\b/g)].map(([, run, own]) => run ?? own);
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((name) => !scripts.includes(name ?? ''))).toEqual([]);
    const config = readFileSync(join(REPO_ROOT, 'vitest.config.ts'), 'utf8');
    const projects = [...DOC.matchAll(/--project (\S+?)`/g)].map(([, name]) => name);
    expect(projects.length).toBeGreaterThan(0);
    expect(projects.filter((name) => !config.includes(`name: '${name}'`))).toEqual([]);
  });

  it('quotes tests by names their files contain', () => {
    // `npx vitest run <file> -t "<name>"`, and `<file>` "<name>" in the recipes' "Until it is complete".
    const quoted = [
      ...DOC.matchAll(/`npx vitest run (\S+) -t "([^"]+)"`/g),
      ...DOC.matchAll(/`([\w/.-]+\.test\.ts)`\s+"([^"]+)"/g),
    ].map(([, file = '', name = '']) => ({ file, name }));
    expect(quoted.length).toBeGreaterThan(3);
    const missing = quoted.filter(({ file, name }) => {
      const source = existsSync(join(REPO_ROOT, file)) ? readFileSync(join(REPO_ROOT, file), 'utf8') : '';
      // A placeholder stands for what the test fills in (%s, a template literal); " > " separates a describe.
      return !name.split(/<[^>]+>| > /).every((part) => source.includes(part.trim()));
    });
    expect(missing).toEqual([]);
  });

  it('reads the tree as nested paths, and placeholders and globs in paths', () => {
    expect(
      treePaths(
        'src/\n  config/               core\n    rules/              one\n  aws/, github/,        adapters\n',
      ),
    ).toEqual(['src/', 'src/config/', 'src/config/rules/', 'src/aws/', 'src/github/']);
    expect(namedPaths('see `npx vitest run test/a.test.ts -u` and [x](../src/b.ts#c), not `a b`')).toEqual([
      'test/a.test.ts',
      'src/b.ts',
    ]);
    expect(exists('actions/<name>/main.ts')).toBe(true);
    expect(exists('config/schemas/*.schema.json')).toBe(true);
    expect(exists('actions/<name>/no-such-file.ts')).toBe(false);
  });
});
