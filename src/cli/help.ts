// --help texts and the README command table, made from the command definitions in ./catalog.ts.

import { NO_COLOUR, Report, type Style } from '../render/report.ts';
import type { CommandDefinition, Flag } from './command.ts';
import { HELP_FLAG } from './command.ts';

/** Words of a paragraph on lines of at most `width` characters. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current && current.length + word.length + 1 > width) {
      lines.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  return [...lines, current].join('\n');
}

function flagUsage(flag: Flag): string {
  return `--${flag.name}${flag.value ? ` ${flag.value}` : ''}`;
}

function flagNotes(flag: Flag): string {
  const notes = [
    ...(flag.default !== undefined ? [`default: ${flag.default}`] : []),
    ...(flag.multiple ? ['repeatable'] : []),
    ...(flag.aliases ?? []).map((alias) => `also --${alias}`),
  ];
  return notes.length > 0 ? ` (${notes.join('; ')})` : '';
}

/** The usage line and the options of one command. */
export function commandHelp(definition: CommandDefinition, style: Style = NO_COLOUR): string {
  const positionals = definition.positionals ? ` ${definition.positionals}` : '';
  const rows = [...definition.flags, HELP_FLAG].map((flag) => [
    `  ${flagUsage(flag)}`,
    `${flag.description}${flagNotes(flag)}`,
  ]);
  const help = new Report('terminal', style)
    .paragraph(`${style.bold('Usage:')} lattice-ingress ${definition.name}${positionals} [options]`)
    .paragraph(definition.summary.charAt(0).toUpperCase() + definition.summary.slice(1));
  if (definition.details) help.paragraph(wrap(definition.details));
  return help.table(['Options:', ''], rows).text().trimEnd();
}

/** The top-level help: every command with its summary. */
export function overview(commands: readonly CommandDefinition[], style: Style = NO_COLOUR): string {
  return new Report('terminal', style)
    .paragraph(`${style.bold('Usage:')} lattice-ingress <command> [options]`)
    .table(
      ['Commands:', ''],
      commands.map((command) => [`  ${command.name}`, command.summary]),
    )
    .paragraph(
      'lattice-ingress <command> --help lists its options; lattice-ingress --version prints the version.',
    )
    .text()
    .trimEnd();
}

/** Every command and flag as one Markdown table, for README.md. */
export function commandTable(commands: readonly CommandDefinition[]): string {
  const rows = commands.flatMap((command) => [
    [`\`${command.name}${command.positionals ? ` ${command.positionals}` : ''}\``, '', command.summary],
    ...command.flags.map((flag) => ['', `\`${flagUsage(flag)}\``, `${flag.description}${flagNotes(flag)}`]),
  ]);
  return new Report('markdown').table(['Command', 'Option', 'What it does'], rows).text().trimEnd();
}
