// Prints the rule codes table of docs/configuration.md from the rule registry; --write-docs updates the document.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { codeTable } from '../src/config/rules/code-table.ts';
import { RULES } from '../src/config/rules/registry.ts';
import { generatedBlock, replaceGeneratedBlock } from './generated-block.ts';

export const CODE_TABLE_DOCS = resolve(import.meta.dirname, '../docs/configuration.md');
export const CODE_TABLE_BLOCK = generatedBlock('rule-codes', 'npx tsx scripts/code-table.ts --write-docs');

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { 'write-docs': { type: 'boolean', default: false } },
  });
  const table = codeTable(RULES);
  if (!values['write-docs']) {
    console.log(table);
    return;
  }
  const document = await readFile(CODE_TABLE_DOCS, 'utf8');
  await writeFile(CODE_TABLE_DOCS, replaceGeneratedBlock(document, CODE_TABLE_BLOCK, table));
  console.log(`updated ${CODE_TABLE_DOCS}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`code-table: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
