// One environment's `cdk diff` section of the pull request plan: the deploy-infra action's Markdown diff file, or
// a note saying why there is none.
// Usage (pr.yml): ENVIRONMENT, DIFF_OUTCOME, DIFF_FILE in the environment; cdk-diff-section.ts --out FILE
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { isEntryPoint } from './entry.ts';

export interface CdkDiffResult {
  environment: string;
  /** steps.<id>.outcome of the deploy-infra step in diff mode. */
  outcome: string;
  /** The action's diff file (Markdown), when it wrote one. */
  markdown?: string;
}

export function cdkDiffSection({ environment, outcome, markdown }: CdkDiffResult): string {
  if (outcome === 'success' && markdown?.trim()) return markdown.trim();
  const why =
    outcome === 'success'
      ? 'the diff step succeeded but wrote no diff file'
      : `the diff step ended with "${outcome || 'not run'}": a synth error fails the deployment too`;
  return `### \`cdk diff\` ${environment}\n\n**No diff**: ${why}. Open the *cdk diff ${environment}* job log.`;
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('--out FILE is required');
  const file = process.env.DIFF_FILE;
  mkdirSync(dirname(values.out), { recursive: true });
  const section = cdkDiffSection({
    environment: process.env.ENVIRONMENT ?? '?',
    outcome: process.env.DIFF_OUTCOME ?? '',
    markdown: file && existsSync(file) ? readFileSync(file, 'utf8') : undefined,
  });
  writeFileSync(values.out, `${section}\n`);
}
