// A 5,000-row spreadsheet export with the usual mistakes: every problem in one pass, named and located; after
// fixing exactly those rows, one import writes an allowlist.yaml that validates, comments kept.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { importCsv } from '../../src/access/allowlist-import.ts';
import { main } from '../../src/cli/main.ts';
import { parseConfig, readConfigSources } from '../../src/config/load.ts';
import { EXAMPLE_DIR, parse } from '../config/sources.ts';

const ROWS = 5000;
const HEADER = '\ufeffCIDR,Description,Expires,Services';
const context = { services: ['orders', 'inventory', 'status-page'], existing: [], today: '2026-01-15' };

/** Row i as a careful person would have written it (padded with no-break spaces, typographic quotes). */
function goodRow(i: number): string {
  return `11.${i >> 8}.${i & 255}.0/24,\u00a0“Partner ${i}” – site ${i}\u00a0,2030-06-30,orders;inventory`;
}

/** The mistakes, by row, and each row as it is once fixed. */
const MISTAKES: Record<number, { row: string; problem: RegExp; fixed: string }> = {
  100: {
    row: '11.0.100.7/24,Host bits,,',
    problem: /has host bits set: the network is 11\.0\.100\.0\/24/,
    fixed: '11.0.100.0/24,Host bits,,',
  },
  200: {
    row: '11.0.200.0/24,Dash date,2030–06–30,',
    problem: /contains U\+2013 EN DASH at character 5/,
    fixed: '11.0.200.0/24,Dash date,2030-06-30,',
  },
  300: {
    row: '11.1.44.0/24\u00a0x,NBSP inside,,',
    problem: /contains U\+00A0 NO-BREAK SPACE at character 13/,
    fixed: '11.1.44.0/24,NBSP inside,,',
  },
  400: {
    row: '11.0.1.0/24,Duplicate of row 1,,',
    problem: /11\.0\.1\.0\/24 is already on line 3/,
    fixed: '11.1.144.0/24,Not a duplicate,,',
  },
  500: {
    row: '11.1.244.0/24,Typo service,,ordrs',
    problem: /no service "ordrs"/,
    fixed: '11.1.244.0/24,Typo service,,orders',
  },
  600: {
    row: '11.2.88.0/24,Party 🎉 office,,',
    problem: /contains U\+1F389 \(an emoji\)/,
    fixed: '11.2.88.0/24,Party office,,',
  },
  700: { row: '11.2.188.0/24,,,', problem: /the description is empty/, fixed: '11.2.188.0/24,Named now,,' },
  800: {
    row: '11.3.32.0/24,US date,06/30/2030,',
    problem: /"06\/30\/2030" is not a date written YYYY-MM-DD/,
    fixed: '11.3.32.0/24,US date,2030-06-30,',
  },
};

function csv(fixed: boolean): string {
  const rows = Array.from({ length: ROWS }, (_, i) => {
    const mistake = MISTAKES[i];
    return mistake ? (fixed ? mistake.fixed : mistake.row) : goodRow(i);
  });
  return `${[HEADER, ...rows].join('\r\n')}\r\n`;
}

let scratch: string | undefined;
afterAll(() => scratch && rmSync(scratch, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('allowlist import', () => {
  it('reports every problem of a 5,000-row export in one pass, with its line and the character named', () => {
    const { problems } = importCsv(csv(false), context);
    expect(problems.map((problem) => problem.line)).toEqual(
      Object.keys(MISTAKES).map((row) => Number(row) + 2),
    );
    for (const [row, mistake] of Object.entries(MISTAKES)) {
      const problem = problems.find((p) => p.line === Number(row) + 2);
      expect(problem?.message, `row ${row}`).toMatch(mistake.problem);
      expect(problem?.fix, `row ${row}`).not.toBe('');
    }
    expect(problems.find((p) => p.line === 502)?.fix).toBe('did you mean orders?');
  });

  it('handles the BOM, CRLF, padding and typographic quotes and dashes without a word', () => {
    const { entries, problems } = importCsv(`${HEADER}\r\n${goodRow(1)}\r\n`, context);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      {
        cidr: '11.0.1.0/24',
        description: "'Partner 1' - site 1",
        expires: '2030-06-30',
        services: ['orders', 'inventory'],
      },
    ]);
  });

  it('imports the fixed export in one round into an allowlist.yaml that validates and keeps its comments', async () => {
    scratch = mkdtempSync(join(tmpdir(), 'import-'));
    const config = join(scratch, 'config');
    cpSync(EXAMPLE_DIR, config, { recursive: true });
    const before = readFileSync(join(config, 'allowlist.yaml'), 'utf8');
    const file = join(scratch, 'export.csv');
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text));
    vi.spyOn(console, 'error').mockImplementation((text: string) => void printed.push(text));

    writeFileSync(file, csv(false));
    expect(await main(['allowlist', 'import', file, '--config', config])).toBe(1);
    expect(printed.join('\n')).toContain(`8 problem(s) on 8 line(s); nothing was imported.`);
    expect(readFileSync(join(config, 'allowlist.yaml'), 'utf8')).toBe(before);

    writeFileSync(file, csv(true));
    expect(await main(['allowlist', 'import', file, '--config', config]), printed.join('\n')).toBe(0);
    const after = readFileSync(join(config, 'allowlist.yaml'), 'utf8');
    const { diagnostics, config: loaded } = parseConfig(await readConfigSources(config), {
      now: new Date('2026-01-15T00:00:00Z'),
    });
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(loaded?.allowlist.entries.length).toBe(ROWS + 4);
    // The header comments of the file are still there.
    expect(after.split('\n').slice(0, 5)).toEqual(before.split('\n').slice(0, 5));
  });
});

describe('allowlist.yaml with a no-break space', () => {
  it('names the character, and still reports host bits and duplicates in the same pass', () => {
    const allowlist = [
      'allowAnyAddress: false',
      'entries:',
      '  - cidr: 198.51.100.7/24',
      '\u00a0   description: Host bits',
      '  - cidr: 192.0.2.0/24',
      '    description: First',
      '  - cidr: 192.0.2.0/24',
      '    description: Again',
      '',
    ].join('\n');
    const found = parse({ allowlist }).diagnostics.filter((d) => d.file.endsWith('allowlist.yaml'));
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          line: 4,
          column: 1,
          message: 'U+00A0 NO-BREAK SPACE where YAML expects a space or nothing',
        }),
        expect.objectContaining({ code: 'cidr-not-canonical', line: 3 }),
        expect.objectContaining({ code: 'cidr-duplicate' }),
      ]),
    );
  });
});
