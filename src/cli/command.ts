// The command line as data: each command declares its flags once; the shared parser, the --help text and the
// table in README.md are all made from those declarations, so every command spells the same option the same way.
import { parseArgs } from 'node:util';
import { characterName } from '../config/characters.ts';
import { closestMatch } from '../config/suggest.ts';

/** Flag values after parsing: strings, booleans, and string lists for repeatable flags. */
export type FlagValues = Record<string, string | boolean | string[] | undefined>;

export interface Parsed {
  values: FlagValues;
  positionals: string[];
}

/**
 * A subcommand: receives the arguments after its name and the same arguments parsed against its declaration,
 * returns the process exit code.
 */
export type Command = (args: string[], parsed: Parsed) => Promise<number>;

export interface Flag {
  name: string;
  /** Other spellings accepted for it (the vocabulary is `--env`; `--environment` still works). */
  aliases?: readonly string[];
  /** Omitted: a boolean switch. */
  value?: string;
  /** Repeatable: `--env a --env b`. */
  multiple?: boolean;
  default?: string;
  /** One line of free text (a reason, a description): any printable character, no line break. */
  text?: boolean;
  description: string;
}

export interface CommandDefinition {
  name: string;
  summary: string;
  /** Positional arguments as shown in the usage line, e.g. `<service>`. */
  positionals?: string;
  /** A paragraph for --help: what the command does beyond its summary. */
  details?: string;
  flags: readonly Flag[];
  load: () => Promise<{ command: Command }>;
}

/** A refused command line: what is wrong and how to put it right, on one line each. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}

export const HELP_FLAG: Flag = { name: 'help', description: 'print this help' };

/** Control characters (line breaks, tabs, escapes) that would break the one-line records a reason ends up in. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;

/** The name of a flag as written (`--environment=x` -> `environment`), or undefined for a positional. */
function flagName(arg: string): string | undefined {
  if (!arg.startsWith('--') || arg === '--') return undefined;
  return arg.slice(2).split('=')[0];
}

/** Canonical flag name for each accepted spelling. */
function spellings(flags: readonly Flag[]): Map<string, Flag> {
  const byName = new Map<string, Flag>();
  for (const flag of [...flags, HELP_FLAG]) {
    byName.set(flag.name, flag);
    for (const alias of flag.aliases ?? []) byName.set(alias, flag);
  }
  return byName;
}

/** Rewrites aliases to the flag's name, refusing unknown flags with a suggestion. */
export function normaliseArgs(definition: CommandDefinition, args: readonly string[]): string[] {
  const byName = spellings(definition.flags);
  const out: string[] = [];
  for (const [index, arg] of args.entries()) {
    const written = flagName(arg);
    if (written === undefined || args.slice(0, index).includes('--')) {
      out.push(arg);
      continue;
    }
    const flag = byName.get(written);
    if (!flag) {
      const meant = closestMatch(written, [...byName.keys()]);
      throw new UsageError(
        `unknown option --${written} for ${definition.name}`,
        meant
          ? `did you mean --${meant}? (lattice-ingress ${definition.name} --help lists the options)`
          : `lattice-ingress ${definition.name} --help lists the options`,
      );
    }
    out.push(`--${flag.name}${arg.slice(2 + written.length)}`);
  }
  return out;
}

/** Parses arguments against a definition: aliases, unknown flags, missing values, one-line text. */
export function parseCommandLine(definition: CommandDefinition, args: readonly string[]): Parsed {
  const normalised = normaliseArgs(definition, args);
  const options = Object.fromEntries(
    [...definition.flags, HELP_FLAG].map((flag) => [
      flag.name,
      {
        type: flag.value ? ('string' as const) : ('boolean' as const),
        ...(flag.multiple ? { multiple: true } : {}),
        ...(flag.default !== undefined ? { default: flag.default } : {}),
      },
    ]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: normalised, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(
      error instanceof Error
        ? (error.message.split('\n')[0]?.replace(/^Option '(--[\w-]+)[^']*'/, '$1') ?? '')
        : '',
      `lattice-ingress ${definition.name} --help lists the options`,
    );
  }
  const { values, positionals } = parsed;
  if (!definition.positionals && positionals.length > 0) {
    throw new UsageError(
      `${definition.name} takes no argument "${positionals[0]}"`,
      `options start with --; lattice-ingress ${definition.name} --help lists them`,
    );
  }
  for (const flag of definition.flags.filter((f) => f.text)) checkOneLine(flag, values[flag.name]);
  return { values: values as FlagValues, positionals };
}

function checkOneLine(flag: Flag, value: unknown): void {
  if (typeof value !== 'string') return;
  const bad = CONTROL.exec(value);
  if (bad) {
    throw new UsageError(
      `--${flag.name} contains ${characterName(bad[0])} at character ${bad.index + 1}`,
      `write --${flag.name} as one line of text`,
    );
  }
  if (value.trim() === '')
    throw new UsageError(`--${flag.name} is empty`, `say in a few words: ${flag.description}`);
}
