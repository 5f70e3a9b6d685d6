// Reading action inputs once into a typed settings object. Every problem is collected, so a misconfigured step
// reports all of its bad inputs in one run instead of one per attempt.
import type { ActionIO } from './io.ts';

export class InputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.length === 1 ? (problems[0] ?? '') : `invalid inputs:\n- ${problems.join('\n- ')}`);
    this.name = 'InputError';
  }
}

export class InputReader {
  private readonly problems: string[] = [];

  constructor(private readonly io: ActionIO) {}

  /** A non-empty string; records a problem when missing. */
  required(name: string): string {
    const value = this.io.getInput(name);
    if (value === '') this.problems.push(`input "${name}" is required`);
    return value;
  }

  optional(name: string): string | undefined {
    const value = this.io.getInput(name);
    return value === '' ? undefined : value;
  }

  /** One of the listed values; `fallback` when empty. */
  choice<const T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.io.getInput(name);
    if (value === '') return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problems.push(`input "${name}" must be one of ${choices.join(', ')} (got "${value}")`);
    return fallback;
  }

  /** true/false in the YAML 1.2 core schema spellings, as @actions/core's getBooleanInput accepts. */
  boolean(name: string, fallback: boolean): boolean {
    const value = this.io.getInput(name);
    if (value === '') return fallback;
    if (['true', 'True', 'TRUE'].includes(value)) return true;
    if (['false', 'False', 'FALSE'].includes(value)) return false;
    this.problems.push(`input "${name}" must be true or false (got "${value}")`);
    return fallback;
  }

  /** A number within [min, max]; `fallback` when empty. */
  number(name: string, fallback: number, range: { min: number; max: number }): number {
    const value = this.io.getInput(name);
    if (value === '') return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < range.min || parsed > range.max) {
      this.problems.push(
        `input "${name}" must be a number from ${range.min} to ${range.max} (got "${value}")`,
      );
      return fallback;
    }
    return parsed;
  }

  /** A string matching `pattern`; `what` describes the expected form in the message. */
  matching(name: string, pattern: RegExp, what: string, options: { required: true }): string;
  matching(name: string, pattern: RegExp, what: string, options?: { required?: false }): string | undefined;
  matching(
    name: string,
    pattern: RegExp,
    what: string,
    options: { required?: boolean } = {},
  ): string | undefined {
    const value = options.required ? this.required(name) : this.optional(name);
    if (value && !pattern.test(value)) this.problems.push(`input "${name}" must be ${what} (got "${value}")`);
    return value;
  }

  /** Records a problem found while combining inputs. */
  problem(message: string): void {
    this.problems.push(message);
  }

  /** Throws an InputError listing every problem, if there were any. */
  done(): void {
    if (this.problems.length > 0) throw new InputError(this.problems);
  }
}
