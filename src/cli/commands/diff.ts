import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../config/load.ts';
import { readSourcesAtRef } from '../../diff/git.ts';
import { formatPlanMarkdown } from '../../diff/markdown.ts';
import { planChange } from '../../diff/plan.ts';
import { renderedDiffs } from '../../diff/rendered.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

const USAGE = `Usage: lattice-ingress diff --base <git-ref> [--config DIR] [--output FILE]

Compares the config files at <git-ref> with the working tree and prints, as Markdown, what the change does:
allowlist entries added, removed, widened or narrowed (broad ranges flagged), services, scaling and environment
changes, and the diff of the rendered NGINX configuration per environment.
Exits 1 when the working-tree config has errors (they are printed instead).`;

export const command: Command = async (args) => {
  const { values } = parseArgs({
    args,
    options: {
      base: { type: 'string' },
      config: { type: 'string', default: 'config' },
      output: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.base) throw new Error('--base <git-ref> is required (e.g. --base origin/main)');
  const head = await loadValidConfig(values.config, 'No plan was made');
  if (!head) return 1;
  // The base only has to parse: an entry that has expired since, for example, must still show as removed.
  const base = parseConfig(await readSourcesAtRef(values.base, values.config), { now: new Date() });
  const markdown = formatPlanMarkdown(planChange(base.parts, head), renderedDiffs(base.parts, head));
  if (values.output) await writeFile(values.output, markdown);
  else process.stdout.write(markdown);
  return 0;
};
