// The YAML snippets of a Markdown document, and how a user applies one: the snippet shows a list key with the new
// items under it, and the user pastes those item lines, as shown, at the end of that list in their file.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Each ```yaml block of the document, without the indentation of its fence (a block inside a list item). */
export function yamlSnippets(markdown: string): string[] {
  return [...markdown.matchAll(/^( *)```yaml\n([\s\S]*?)^\1```$/gm)].map(([, indent = '', body = '']) =>
    body
      .split('\n')
      .map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line))
      .join('\n'),
  );
}

/** Appends the snippet's items to the end of the list its first line names; throws when that is not possible. */
export async function pasteSnippet(configDir: string, snippet: string): Promise<string> {
  const lines = snippet.split('\n');
  const keyLine = lines.findIndex((line) => line.trim() !== '' && !line.startsWith('#'));
  const key = /^([A-Za-z]+):\s*$/.exec(lines[keyLine] ?? '')?.[1];
  if (!key) throw new Error(`the snippet does not start with a top-level list key:\n${snippet}`);
  for (const name of await readdir(configDir)) {
    if (!name.endsWith('.yaml')) continue;
    const path = join(configDir, name);
    const text = await readFile(path, 'utf8');
    const keyAt = text.search(new RegExp(`^${key}:`, 'm'));
    if (keyAt < 0) continue;
    if (/^[A-Za-z]/m.test(text.slice(text.indexOf('\n', keyAt) + 1)))
      throw new Error(`${name}: ${key} is not the last key, so its list does not end the file`);
    const items = lines.slice(keyLine + 1).join('\n');
    await writeFile(path, `${text.endsWith('\n') ? text : `${text}\n`}${items.trimEnd()}\n`);
    return name;
  }
  throw new Error(`no file of ${configDir} has the top-level key ${key}`);
}
