// Prints the code tables of docs/configuration.md from the loader's and the rules' declarations; --write-docs
// updates the document.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCodeTable, ruleCodeTable } from '../src/config/code-table.ts';
import { LOAD_CODES } from '../src/config/load-codes.ts';
import { RULES } from '../src/config/rules/registry.ts';
import { type GeneratedBlock, generatedBlock, replaceGeneratedBlock } from './generated-block.ts';

const COMMAND = 'npx tsx scripts/code-table.ts --write-docs';
export const CODE_TABLE_DOCS = resolve(import.meta.dirname, '../docs/configuration.md');

/** Each generated block of the document with the content it must have. */
export function codeTableBlocks(): { block: GeneratedBlock; content: string }[] {
  return [
    { block: generatedBlock('load-codes', COMMAND), content: loadCodeTable(LOAD_CODES) },
    { block: generatedBlock('rule-codes', COMMAND), content: ruleCodeTable(RULES) },
  ];
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'write-docs': { type: 'boolean', default: false } },
  });
  const blocks = codeTableBlocks();
  if (!values['write-docs']) {
    console.log(blocks.map(({ content }) => content).join('\n\n'));
    return;
  }
  let document = await readFile(CODE_TABLE_DOCS, 'utf8');
  for (const { block, content } of blocks) document = replaceGeneratedBlock(document, block, content);
  await writeFile(CODE_TABLE_DOCS, document);
  console.log(`updated ${CODE_TABLE_DOCS}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`code-table: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
