import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../scripts/bench/allowlist.ts';
import { unifiedDiff } from './line-diff.ts';

const dir = mkdtempSync(join(tmpdir(), 'line-diff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GNU diff -u of the same texts, with the same names in its header. */
function diffU(before: string, after: string): string {
  writeFileSync(join(dir, 'before'), before);
  writeFileSync(join(dir, 'after'), after);
  try {
    execFileSync('diff', ['-u', '--label', 'a/f', '--label', 'b/f', 'before', 'after'], { cwd: dir });
    return '';
  } catch (error) {
    return String((error as { stdout: Buffer }).stdout);
  }
}

describe('unifiedDiff against diff -u', () => {
  it('gives the same hunks for edits at the start, in the middle and at the end of long texts', () => {
    const random = seededRandom(7);
    // Distinct lines, so that the alignment is the only one and both tools must find it.
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i}`);
    for (let round = 0; round < 40; round++) {
      const after = [...lines];
      const edits = 1 + Math.floor(random() * 4);
      for (let edit = 0; edit < edits; edit++) {
        // Near either end as often as anywhere, where the kept prefix and suffix meet the hunk.
        const where = [0, after.length - 1, Math.floor(random() * after.length)][round % 3] as number;
        const roll = random();
        if (roll < 0.33) after.splice(where, 1);
        else if (roll < 0.66) after.splice(where, 0, `new ${round}.${edit}`);
        else after[where] = `changed ${round}.${edit}`;
      }
      const text = (list: string[]) => list.map((line) => `${line}\n`).join('');
      expect(unifiedDiff(text(lines), text(after), { from: 'a/f', to: 'b/f' })).toBe(
        diffU(text(lines), text(after)),
      );
    }
  });
});
