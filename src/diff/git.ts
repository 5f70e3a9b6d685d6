// Reads the config files as they were at a git ref (`git show <ref>:<path>`): the I/O side of the diff.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ConfigSources } from '../config/load.ts';
import { CONFIG_FILES, type ConfigPart } from '../config/model.ts';

const run = promisify(execFile);
const MAX_BUFFER = 64 * 1024 * 1024;

/** The config files at `ref`; a file that did not exist yet is returned empty (and so reported missing). */
export async function readSourcesAtRef(ref: string, configDir: string): Promise<ConfigSources> {
  if (ref.startsWith('-') || ref.includes(':')) throw new Error(`not a git ref: ${ref}`);
  await run('git', ['-C', configDir, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).catch(() => {
    throw new Error(`unknown git ref ${ref} (for a pull request, fetch the base branch first)`);
  });
  const entries = await Promise.all(
    (Object.keys(CONFIG_FILES) as ConfigPart[]).map(async (part) => {
      const file = CONFIG_FILES[part].file;
      // `./` makes the path relative to configDir rather than to the repository root.
      const bytes = await run('git', ['-C', configDir, 'show', `${ref}:./${file}`], {
        encoding: 'buffer',
        maxBuffer: MAX_BUFFER,
      }).then(
        ({ stdout }) => new Uint8Array(stdout),
        () => new Uint8Array(),
      );
      return [part, { path: `${ref}:${file}`, bytes }] as const;
    }),
  );
  return Object.fromEntries(entries) as ConfigSources;
}
