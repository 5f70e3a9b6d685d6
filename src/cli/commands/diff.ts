import { writeFile } from 'node:fs/promises';
import { parseConfigParts } from '../../config/load.ts';
import { readSourcesAtRef } from '../../diff/git.ts';
import { formatPlanMarkdown } from '../../diff/markdown.ts';
import { planMerge } from '../../diff/merge-plan.ts';
import { type Command, UsageError } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as { base?: string; config: string; output?: string };
  if (!values.base)
    throw new UsageError('--base is required', 'name the git ref to compare with, e.g. --base origin/main');
  const head = await loadValidConfig(values.config, 'No plan was made');
  if (!head) return 1;
  const { change, rendered } = planMerge(
    parseConfigParts(await readSourcesAtRef(values.base, values.config)),
    head,
  );
  const markdown = formatPlanMarkdown(change, rendered);
  if (values.output) await writeFile(values.output, markdown);
  else process.stdout.write(markdown);
  return 0;
};
