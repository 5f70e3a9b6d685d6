// Finds where a test source would read the repository's own config/: that directory is the user's (their
// environments, ranges and services), so a test that reads it passes or fails depending on whose repository runs it.
// Tests name their configuration instead: the sample (test/support/sample-config.ts) or a copy they edit.
// config/schemas is generated from the model, not the user's values, and may be read.

export interface ConfigRead {
  line: number;
  column: number;
  text: string;
  why: string;
}

/** CLI commands that read the configuration directory, `config` unless `--config` names another. */
const COMMANDS_READING_CONFIG = [
  'call',
  'diff',
  'doctor',
  'environments',
  'expiry',
  'render',
  'revoke',
  'rollback',
  'start',
  'validate',
] as const;

const NOT_SCHEMAS = String.raw`(?!\/schemas|['"\x60]\s*,\s*['"\x60]schemas)`;
const PATTERNS: { pattern: RegExp; why: string }[] = [
  {
    pattern: new RegExp(
      String.raw`\b(?:\w*ROOT\w*|repositoryRoot|repoRoot)\s*,\s*['"\x60]\.?\/?config\b${NOT_SCHEMAS}`,
      'g',
    ),
    why: 'joins the repository root with config',
  },
  {
    pattern: new RegExp(
      String.raw`\$\{\s*(?:\w*ROOT\w*|repositoryRoot|repoRoot)\s*\}\/config\b${NOT_SCHEMAS}`,
      'g',
    ),
    why: 'a path from the repository root into config/',
  },
  {
    pattern: /['"`](?:\.\.\/)+config\/?(?:[\w.-]+\.ya?ml)?['"`]/g,
    why: 'a relative path up to the repository and into config/',
  },
  {
    pattern: /process\.cwd\(\)\s*,\s*['"`]\.?\/?config\b(?!\/schemas)/g,
    why: 'config/ of the working directory, which is the repository root',
  },
  {
    pattern: /\b(?:loadConfig\w*|requireValidConfig)\(\s*['"`]\.?\/?config\/?['"`]/g,
    why: 'loads config/ of the working directory, which is the repository root',
  },
];

// The arguments of the CLI started in a test: after its entry point, or given to runCli (test/local/support.ts).
const CLI_ARRAY = new RegExp(
  String.raw`(?:runCli\(\s*\[\s*|\[[^\[\]]*lattice-ingress\.mjs[^\[\]]*?,\s*)['"](${COMMANDS_READING_CONFIG.join('|')})['"][^\[\]]*\]`,
  'g',
);

/** Every place `source` reads the repository's config/, with its 1-based line and column. */
export function findConfigReads(source: string): ConfigRead[] {
  const found: ConfigRead[] = [];
  const at = (index: number, text: string, why: string) => {
    const before = source.slice(0, index);
    const line = before.split('\n').length;
    found.push({ line, column: index - before.lastIndexOf('\n'), text: text.split('\n')[0] ?? text, why });
  };
  for (const { pattern, why } of PATTERNS)
    for (const match of source.matchAll(pattern)) at(match.index, match[0], why);
  for (const match of source.matchAll(CLI_ARRAY))
    if (!/['"]--config['"]/.test(match[0]))
      at(
        match.index,
        match[0],
        `runs \`${match[1]}\` without --config, so it reads config/ of its working directory`,
      );
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}
