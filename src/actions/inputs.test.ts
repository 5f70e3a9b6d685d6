import { describe, expect, it } from 'vitest';
import { InputError, InputReader } from './inputs.ts';
import { MemoryIO } from './io.ts';

describe('InputReader', () => {
  it('reads typed values with fallbacks', () => {
    const inputs = new InputReader(
      new MemoryIO({ name: ' staging ', mode: 'diff', push: 'False', timeout: '2.5', tag: 'git-abc' }),
    );
    expect(inputs.required('name')).toBe('staging');
    expect(inputs.optional('missing')).toBeUndefined();
    expect(inputs.choice('mode', ['deploy', 'diff'], 'deploy')).toBe('diff');
    expect(inputs.choice('other', ['a', 'b'], 'a')).toBe('a');
    expect(inputs.boolean('push', true)).toBe(false);
    expect(inputs.number('timeout', 20, { min: 0.01, max: 60 })).toBe(2.5);
    expect(inputs.matching('tag', /^git-/, 'a git tag', { required: true })).toBe('git-abc');
    expect(() => inputs.done()).not.toThrow();
  });

  it('collects every problem and reports them together', () => {
    const inputs = new InputReader(
      new MemoryIO({ mode: 'apply', push: 'yes', timeout: '0', tag: 'latest!' }),
    );
    inputs.required('environment');
    inputs.choice('mode', ['deploy', 'diff'], 'deploy');
    inputs.boolean('push', true);
    inputs.number('timeout', 20, { min: 0.01, max: 60 });
    inputs.matching('tag', /^[a-z-]+$/, 'an image tag');
    const error = (() => {
      try {
        inputs.done();
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).problems).toEqual([
      'input "environment" is required',
      'input "mode" must be one of deploy, diff (got "apply")',
      'input "push" must be true or false (got "yes")',
      'input "timeout" must be a number from 0.01 to 60 (got "0")',
      'input "tag" must be an image tag (got "latest!")',
    ]);
    expect((error as InputError).message).toMatch(/^invalid inputs:\n- input "environment" is required\n/);
  });
});
