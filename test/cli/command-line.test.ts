// The shared command line: one vocabulary for every command, suggestions, one-line refusals with their fix, and
// the README table generated from the same definitions.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CLI_TABLE_BLOCK, CLI_TABLE_DOCS, cliTable } from '../../scripts/cli-table.ts';
import { extractGeneratedBlock } from '../../scripts/generated-block.ts';
import { COMMANDS } from '../../src/cli/catalog.ts';
import { parseCommandLine, UsageError } from '../../src/cli/command.ts';
import { main } from '../../src/cli/main.ts';

const definition = (name: string) => {
  const found = COMMANDS.find((command) => command.name === name);
  if (!found) throw new Error(`no command ${name}`);
  return found;
};

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((text: string) => void out.push(text));
  vi.spyOn(console, 'error').mockImplementation((text: string) => void err.push(text));
  const code = await main(argv);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

afterEach(() => vi.restoreAllMocks());

describe('command line', () => {
  it('spells the environment --env in every command that takes one, and accepts --environment', () => {
    for (const command of COMMANDS) {
      const names = command.flags.map((flag) => flag.name);
      expect(names, command.name).not.toContain('environment');
      const env = command.flags.find((flag) => flag.name === 'env');
      if (env) expect(env.aliases, command.name).toContain('environment');
    }
    expect(parseCommandLine(definition('render'), ['--environment', 'staging']).values.env).toBe('staging');
    expect(parseCommandLine(definition('render'), ['--environment=staging']).values.env).toBe('staging');
    for (const name of ['revoke', 'rollback']) {
      for (const spelling of ['--env', '--environment']) {
        expect(parseCommandLine(definition(name), [spelling, 'staging']).values.env, name).toBe('staging');
      }
    }
  });

  it('has --profile on every command that calls AWS with the credentials of a person', () => {
    for (const name of ['call', 'bootstrap', 'doctor', 'rollback', 'revoke']) {
      expect(
        definition(name).flags.map((flag) => flag.name),
        name,
      ).toContain('profile');
    }
  });

  it('suggests the command meant: plan -> diff, a typo -> the command', async () => {
    const plan = await run('plan', '--base', 'main');
    expect(plan.code).toBe(2);
    expect(plan.stderr).toBe(
      'lattice-ingress: unknown command "plan"\n  fix: did you mean lattice-ingress diff? (lattice-ingress --help lists the commands)',
    );
    expect((await run('valdate')).stderr).toContain('did you mean lattice-ingress validate?');
  });

  it('suggests the option meant, in one line with its fix', async () => {
    const typo = await run('render', '--enviroment', 'staging');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      'lattice-ingress render: unknown option --enviroment for render\n  fix: did you mean --environment? (lattice-ingress render --help lists the options)',
    );
    const missing = await run('render', '--env');
    expect(missing.stderr.split('\n')).toHaveLength(2);
    expect(missing.stderr).toMatch(/^lattice-ingress render: --env/);
  });

  it('prints the version of package.json', async () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    expect(await run('--version')).toEqual({ code: 0, stdout: version, stderr: '' });
  });

  it('takes a reason with ; and an em dash, and refuses one with a line break, naming the character', () => {
    const reason = 'leaked key; partner asked — ticket 42';
    expect(parseCommandLine(definition('rollback'), ['--reason', reason]).values.reason).toBe(reason);
    expect(() => parseCommandLine(definition('rollback'), ['--reason', 'two\nlines'])).toThrow(
      new UsageError(
        '--reason contains U+000A LINE FEED at character 4',
        'write --reason as one line of text',
      ),
    );
  });

  it('prints help made from the definitions, without Markdown', async () => {
    const help = await run('doctor', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: lattice-ingress doctor [options]');
    expect(help.stdout).toMatch(/--env NAME +environment to check; repeat for several/);
    expect(help.stdout).not.toMatch(/\| |\*\*|`/);
  });
});

describe('README command table', () => {
  it('is the one generated from the definitions (npx tsx scripts/cli-table.ts --write-docs)', () => {
    expect(extractGeneratedBlock(readFileSync(CLI_TABLE_DOCS, 'utf8'), CLI_TABLE_BLOCK)).toBe(cliTable());
  });

  it('lists every command and every option', () => {
    const table = cliTable();
    for (const command of COMMANDS) {
      expect(table).toContain(`| \`${command.name}`);
      for (const flag of command.flags) expect(table).toContain(`\`--${flag.name}`);
    }
  });
});
