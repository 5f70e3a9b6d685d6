// Uniqueness across a list, shared by the rules that need a name or a domain to be unique.
import type { RuleContext } from './context.ts';
import type { Report } from './rule.ts';

export interface UniqueField<T> {
  part: 'services' | 'deployment';
  /** The list's key at the top of the file (services, environments). */
  list: string;
  field: string;
  /** What the value is called in the message, e.g. "service name". */
  what: string;
  valueIn(item: T): string | undefined;
}

/** Reports every value that repeats an earlier one, pointing at the repeat and naming the line of the first. */
export function reportRepeats<T, Code extends string>(
  items: readonly T[],
  unique: UniqueField<T>,
  code: Code,
  report: Report<Code>,
  lineOf: RuleContext['lineOf'],
): void {
  const { part, list, field, what } = unique;
  const first = new Map<string, number>();
  items.forEach((item, index) => {
    const value = unique.valueIn(item);
    if (value === undefined) return;
    const earlier = first.get(value);
    if (earlier === undefined) {
      first.set(value, index);
      return;
    }
    report(
      code,
      { part, path: [list, index, field] },
      `${what} ${value} is already used on line ${lineOf(part, [list, earlier])}`,
      `each ${what} must be unique; rename or remove one`,
    );
  });
}
