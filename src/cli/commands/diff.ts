import { writeFile } from 'node:fs/promises';
import { parseConfigParts } from '../../config/load.ts';
import { compileChange } from '../../diff/compiled-change.ts';
import { readSourcesAtRef } from '../../diff/git.ts';
import { formatPlanMarkdown } from '../../diff/markdown.ts';
import { planChange } from '../../diff/plan.ts';
import { renderedDiffs } from '../../diff/rendered.ts';
import { type Command, UsageError } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as { base?: string; config: string; output?: string };
  if (!values.base)
    throw new UsageError('--base is required', 'name the git ref to compare with, e.g. --base origin/main');
  const head = await loadValidConfig(values.config, 'No plan was made');
  if (!head) return 1;
  // The base only has to parse: an entry that has expired since, for example, must still show as removed.
  const base = parseConfigParts(await readSourcesAtRef(values.base, values.config));
  // The access section and the rendered diff read the same two allowlists: compiled once for both.
  const { reach, allowlists } = compileChange(base, head);
  const markdown = formatPlanMarkdown(planChange(base, head, reach), renderedDiffs(base, head, allowlists));
  if (values.output) await writeFile(values.output, markdown);
  else process.stdout.write(markdown);
  return 0;
};
