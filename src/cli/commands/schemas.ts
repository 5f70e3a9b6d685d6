import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { renderJsonSchemas } from '../../config/schemas.ts';
import type { Command } from '../command.ts';

const USAGE = `Usage: lattice-ingress schemas [--write] [--out DIR]

Generates the JSON Schemas of the config files from the model (default DIR: config/schemas).
Without --write, checks that the files in DIR are up to date and exits 1 if not.`;

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      write: { type: 'boolean', default: false },
      out: { type: 'string', default: join('config', 'schemas') },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
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
