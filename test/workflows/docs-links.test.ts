// Links between the documents: every relative link of the README and of every document under docs/ points at a
// file that exists, and every #anchor at a heading of that file (GitHub's heading ids); every docs/<name>.md named in
// code, templates or workflows exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const GUIDE = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
/** Where code and configuration name documents in comments and messages. */
const CODE_ROOTS = ['src', 'infra', 'actions', 'scripts', 'proxy', 'test', '.github', 'config'];

function textFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'cdk.out', '__snapshots__'].includes(entry.name) ? [] : textFiles(path);
    return /\.(ts|mjs|ya?ml|hbs|conf|sh|json)$|Dockerfile$/.test(entry.name) ? [path] : [];
  });
}

/** GitHub's id for a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingId(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

function headingIds(markdown: string): Set<string> {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...withoutCode.matchAll(/^#{1,6} (.+)$/gm)].map((m) => headingId(m[1] ?? '')));
}

function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1] ?? '')
    .filter((l) => !/^[a-z]+:/.test(l));
}

describe('document links', () => {
  it('computes GitHub heading ids', () => {
    expect(headingId('Roll back')).toBe('roll-back');
    expect(headingId('`cdk diff` per environment')).toBe('cdk-diff-per-environment');
    expect(headingId('Images: who owns the reference')).toBe('images-who-owns-the-reference');
  });

  it.each(GUIDE)('%s links to files and headings that exist', (file) => {
    const broken: string[] = [];
    for (const link of links(readFileSync(join(root, file), 'utf8'))) {
      const [path = '', anchor] = link.split('#');
      const target = path ? join(dirname(join(root, file)), path) : join(root, file);
      if (!existsSync(target)) {
        broken.push(`${link}: no such file`);
      } else if (anchor && target.endsWith('.md') && !headingIds(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${link}: no heading with id "${anchor}"`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('names only documents that exist, in code, templates and workflows', () => {
    const missing = CODE_ROOTS.flatMap(textFiles).flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(/\bdocs\/[\w-]+\.md\b/g)]
        .filter(([doc]) => !existsSync(join(root, doc)))
        .map(([doc]) => `${file}: ${doc}`),
    );
    expect(missing).toEqual([]);
  });
});
