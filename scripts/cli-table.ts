// Prints the table of every lattice-ingress command and option, made from the command definitions in
// src/cli/catalog.ts; --write-docs updates README.md.
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../src/cli/catalog.ts';
import { commandTable } from '../src/cli/help.ts';
import { generatedBlock, replaceGeneratedBlock } from './generated-block.ts';

export const CLI_TABLE_DOCS = resolve(import.meta.dirname, '../README.md');
export const CLI_TABLE_BLOCK = generatedBlock('cli-table', 'npx tsx scripts/cli-table.ts --write-docs');

export function cliTable(): string {
  return commandTable(COMMANDS);
}

async function main(argv: string[]): Promise<void> {
  if (!argv.includes('--write-docs')) {
    console.log(cliTable());
    return;
  }
  const document = await readFile(CLI_TABLE_DOCS, 'utf8');
  await writeFile(CLI_TABLE_DOCS, replaceGeneratedBlock(document, CLI_TABLE_BLOCK, cliTable()));
  console.log(`updated ${CLI_TABLE_DOCS}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(`cli-table: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
