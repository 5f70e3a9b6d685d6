// The one editor of allowlist.yaml: whatever the tool writes (a narrowed description with ": ", a services list,
// an imported description starting with "-" or "#") parses, validates, and leaves the comments in place.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AllowlistDocument, replaceEntries } from '../../src/access/allowlist-edit.ts';
import { type AllowlistEntry, AllowlistSchema, SAFE_TEXT } from '../../src/config/model.ts';
import { parseYamlSource } from '../../src/config/yaml-source.ts';

const BASE = [
  '# yaml-language-server: $schema=./schemas/allowlist.schema.json',
  '# Client networks allowed through the proxy.',
  'allowAnyAddress: false',
  'entries:',
  '  # head office, owned by network team',
  '  - cidr: 198.51.100.0/24',
  '    description: Head office # inline note',
  '  - cidr: 203.0.113.16/28',
  "    description: 'Partner: Example Logistics'",
  '    expires: 2030-06-30',
  '',
].join('\n');

/** What the loader reads, validated by the allowlist's schema. */
function read(text: string) {
  const source = parseYamlSource(text);
  expect(source.problems).toEqual([]);
  const result = AllowlistSchema.safeParse(source.value);
  expect(result.error?.issues ?? []).toEqual([]);
  return result.data;
}

// Descriptions from the whole allowed alphabet, including what YAML treats specially in plain scalars.
const SAFE_CHARS = [..."abcXYZ019 '’#.,:()/@&+_-é"];
const description = fc
  .array(fc.constantFrom(...SAFE_CHARS), { minLength: 1, maxLength: 40 })
  .map((chars) => chars.join(''))
  .filter((text) => SAFE_TEXT.test(text) && text.trim() === text && text.length > 0);
const entry: fc.Arbitrary<AllowlistEntry> = fc.record(
  {
    cidr: fc.constantFrom('192.0.2.0/24', '2001:db8::/32', '10.1.0.0/16', '192.0.2.7/32'),
    description,
    expires: fc.constantFrom('2030-01-31', '2029-12-01'),
    services: fc.uniqueArray(fc.constantFrom('orders', 'inventory', 'status-page'), { minLength: 1 }),
  },
  { requiredKeys: ['cidr', 'description'] },
);

describe('allowlist editor', () => {
  it('writes entries that parse back to themselves and validate, whatever their text', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 3 }), fc.array(entry, { maxLength: 3 }), (narrowed, added) => {
        const document = new AllowlistDocument(BASE);
        document.replace(new Map([[0, narrowed]]));
        document.append(added);
        const text = document.toString();
        expect(read(text)?.entries).toEqual([
          ...narrowed,
          { cidr: '203.0.113.16/28', description: 'Partner: Example Logistics', expires: '2030-06-30' },
          ...added,
        ]);
        expect(text).toContain('# Client networks allowed through the proxy.');
      }),
      { numRuns: 100 },
    );
  });

  it('quotes a narrowed description and writes services as a list (revoke --write-allowlist)', () => {
    const text = replaceEntries(
      { text: BASE },
      new Map([
        [
          0,
          [
            {
              cidr: '198.51.100.0/25',
              description: 'Head office (narrowed: 198.51.100.128/25 revoked 2026-03-10)',
              services: ['orders', 'inventory'],
            },
          ],
        ],
      ]),
    );
    expect(text).toContain(
      '    description: "Head office (narrowed: 198.51.100.128/25 revoked 2026-03-10)"\n',
    );
    expect(text).toContain('    services: [ orders, inventory ]\n');
    // The comments above the replaced entry stay with its replacement.
    expect(text).toContain('  # head office, owned by network team\n  - cidr: 198.51.100.0/25\n');
    expect(read(text)?.entries[0]?.services).toEqual(['orders', 'inventory']);
  });

  it('keeps untouched entries byte for byte, their quoting and comments included', () => {
    const document = new AllowlistDocument(BASE);
    document.append([{ cidr: '192.0.2.10/32', description: '- on-call VPN' }]);
    expect(document.toString()).toBe(`${BASE}  - cidr: 192.0.2.10/32\n    description: "- on-call VPN"\n`);
  });

  it('writes an explicit empty list when every entry goes, and keeps a list written without indentation', () => {
    const document = new AllowlistDocument(BASE);
    document.clear();
    expect(read(document.toString())?.entries).toEqual([]);
    const flush = 'entries:\n- cidr: 192.0.2.0/24\n  description: a\n';
    expect(
      replaceEntries({ text: flush }, new Map([[0, [{ cidr: '192.0.2.0/25', description: 'b' }]]])),
    ).toBe('entries:\n- cidr: 192.0.2.0/25\n  description: b\n');
  });
});
