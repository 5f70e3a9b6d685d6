// One environment's `cdk diff` section of the pull request plan.
// Usage (pr.yml): ENVIRONMENT, DIFF_OUTCOME, DIFF_FILE, HAS_CHANGES in the environment; cdk-diff-section.ts --out FILE
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { collapsible, fenced, isEntryPoint, truncateLines } from './markdown.ts';

/** Room for one environment's diff; the comment holds several environments and the NGINX diff. */
const DIFF_LIMIT = 20_000;

export interface CdkDiffResult {
  environment: string;
  /** steps.<id>.outcome of the deploy-infra step in diff mode. */
  outcome: string;
  hasChanges: boolean;
  /** Text of the diff file, when the action wrote one. */
  diff?: string;
}

export function cdkDiffSection({ environment, outcome, hasChanges, diff }: CdkDiffResult): string {
  const heading = `### \`cdk diff\` ${environment}`;
  if (outcome !== 'success') {
    return `${heading}\n\n**The diff failed** (${outcome}). Open the *cdk diff ${environment}* job log: a synth error fails the deployment too.`;
  }
  if (!hasChanges) return `${heading}\n\nNo infrastructure changes.`;
  const text = diff?.trim()
    ? truncateLines(diff.trim(), DIFF_LIMIT)
    : '(the action reported changes but wrote no diff)';
  return `${heading}\n\n${collapsible(`Infrastructure changes in ${environment}`, fenced(text, 'diff'))}`;
}

if (isEntryPoint(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  if (!values.out) throw new Error('--out FILE is required');
  const file = process.env.DIFF_FILE;
  mkdirSync(dirname(values.out), { recursive: true });
  const section = cdkDiffSection({
    environment: process.env.ENVIRONMENT ?? '?',
    outcome: process.env.DIFF_OUTCOME ?? '',
    hasChanges: process.env.HAS_CHANGES === 'true',
    diff: file && existsSync(file) ? readFileSync(file, 'utf8') : undefined,
  });
  writeFileSync(values.out, `${section}\n`);
}
