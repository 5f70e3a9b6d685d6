import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentHash } from './content-hash.ts';

describe('contentHash', () => {
  it('does not depend on insertion order, and equals the same input as bytes or text', () => {
    const a = contentHash(
      new Map([
        ['x.conf', 'one'],
        ['y.conf', 'two'],
      ]),
    );
    const b = contentHash(
      new Map<string, string | Uint8Array>([
        ['y.conf', new TextEncoder().encode('two')],
        ['x.conf', 'one'],
      ]),
    );
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when bytes move between files, a file is renamed, added or emptied', () => {
    const base = contentHash(
      new Map([
        ['a', 'xy'],
        ['b', 'z'],
      ]),
    );
    expect(
      contentHash(
        new Map([
          ['a', 'x'],
          ['b', 'yz'],
        ]),
      ),
    ).not.toBe(base);
    expect(
      contentHash(
        new Map([
          ['a', 'xy'],
          ['c', 'z'],
        ]),
      ),
    ).not.toBe(base);
    expect(
      contentHash(
        new Map([
          ['a', 'xy'],
          ['b', 'z'],
          ['c', ''],
        ]),
      ),
    ).not.toBe(base);
    expect(
      contentHash(
        new Map([
          ['a', 'xy'],
          ['b', ''],
        ]),
      ),
    ).not.toBe(base);
  });

  it('is injective over distinct file sets (property)', () => {
    const files = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 16 }), {
      maxKeys: 4,
    });
    fc.assert(
      fc.property(files, files, (x, y) => {
        const same = JSON.stringify(Object.entries(x).sort()) === JSON.stringify(Object.entries(y).sort());
        const hx = contentHash(new Map(Object.entries(x)));
        const hy = contentHash(new Map(Object.entries(y)));
        return same ? hx === hy : hx !== hy;
      }),
    );
  });
});
