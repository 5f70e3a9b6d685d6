import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderJsonSchemas } from '../../config/schemas.ts';
import type { Command } from '../command.ts';

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as { write: boolean; out: string };
  let stale = 0;
  for (const [name, content] of renderJsonSchemas()) {
    const path = join(values.out, name);
    if (values.write) {
      await writeFile(path, content);
      console.log(`wrote ${path}`);
    } else if ((await readFile(path, 'utf8').catch(() => undefined)) !== content) {
      console.error(`${path} is out of date: run npm run schemas`);
      stale++;
    }
  }
  return stale > 0 ? 1 : 0;
};
