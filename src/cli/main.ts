// lattice-ingress command-line entry: parses with the command definitions of ./catalog.ts, then runs the command's
// module, loaded on demand. Every refusal is one line saying what is wrong and one saying how to fix it.
import { readFileSync } from 'node:fs';
import { closestMatch } from '../config/suggest.ts';
import { styleFor } from '../render/report.ts';
import { COMMANDS, SYNONYMS } from './catalog.ts';
import { type CommandDefinition, normaliseArgs, parseCommandLine, UsageError } from './command.ts';
import { commandHelp, overview } from './help.ts';

export function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

/** The command meant by a name that is not one: a synonym (plan -> diff) or a near spelling. */
export function suggestCommand(name: string): string | undefined {
  return (
    SYNONYMS[name.toLowerCase()] ??
    closestMatch(
      name,
      COMMANDS.map((command) => command.name),
    )
  );
}

function refuse(prefix: string, error: UsageError): number {
  console.error(`${prefix}: ${error.message}\n  fix: ${error.fix}`);
  return 2;
}

async function run(definition: CommandDefinition, args: string[]): Promise<number> {
  const prefix = `lattice-ingress ${definition.name}`;
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(definition, args);
  } catch (error) {
    if (error instanceof UsageError) return refuse(prefix, error);
    throw error;
  }
  if (parsed.values.help) {
    console.log(commandHelp(definition, styleFor()));
    return 0;
  }
  const { command } = await definition.load();
  try {
    return await command(normaliseArgs(definition, args), parsed);
  } catch (error) {
    if (error instanceof UsageError) return refuse(prefix, error);
    console.error(`${prefix}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview(COMMANDS, styleFor()));
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(version());
    return 0;
  }
  const definition = COMMANDS.find((command) => command.name === name);
  if (!definition) {
    const meant = suggestCommand(name);
    return refuse(
      'lattice-ingress',
      new UsageError(
        `unknown command "${name}"`,
        meant
          ? `did you mean lattice-ingress ${meant}? (lattice-ingress --help lists the commands)`
          : 'lattice-ingress --help lists the commands',
      ),
    );
  }
  return run(definition, rest);
}
