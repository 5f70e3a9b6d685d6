// Which gate a pull request needs: a change only under config/ is about the values, and the config gate (validate,
// render every environment, nginx -t in the image, synth with cdk-nag, the plan) is what it must pass; any other
// file is code, and the whole suite runs as well. Runs with plain `node` (Node 24 strips the types).
//
// Usage (pr.yml): node .github/scripts/changed-files.ts --base SHA --head SHA >> "$GITHUB_OUTPUT"
//   prints code=true|false; the files that decided it go to stderr
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { isEntryPoint } from './entry.ts';

/** The directory whose files are the operator's values, not code. */
export const CONFIG_DIR = 'config/';

/** The files that make the change a code change (empty for a config-only change). */
export function codeFiles(changed: readonly string[]): string[] {
  return changed.filter((file) => !file.startsWith(CONFIG_DIR));
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { base: { type: 'string' }, head: { type: 'string' } } });
  if (!values.base || !values.head) throw new Error('usage: changed-files.ts --base SHA --head SHA');
  // Three dots: what the pull request changes since it left the base, not what the base did meanwhile.
  const changed = execFileSync('git', ['diff', '--name-only', `${values.base}...${values.head}`], {
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  const code = codeFiles(changed);
  console.error(
    code.length > 0
      ? `Code changed, the whole suite runs: ${code.slice(0, 20).join(', ')}${code.length > 20 ? ', …' : ''}`
      : `Only ${CONFIG_DIR} changed (${changed.length} file(s)): the config gate decides.`,
  );
  console.log(`code=${code.length > 0}`);
}
