import { describe, expect, it } from 'vitest';
import { escapeCell } from './markdown.ts';
import { Report } from './report.ts';

function sample(format: 'markdown' | 'terminal'): string {
  const report = new Report(format);
  const events = report.fork().table(
    ['Time', 'Event'],
    [
      ['10:00', 'started'],
      ['10:01', 'steady'],
    ],
  );
  return report
    .heading(`Rollout: ${report.code('git-abc')} is running`)
    .table(
      ['', ''],
      [
        ['Environment', report.code('staging')],
        ['Why', 'p99 | doubled\nafter 1.4'],
      ],
    )
    .heading('Access', 3)
    .list(['203.0.113.16/28 would be admitted again'])
    .details('Service events (2)', events)
    .text();
}

describe('Report', () => {
  it('writes Markdown for a job summary, with escaped cells', () => {
    const markdown = sample('markdown');
    expect(markdown).toContain('## Rollout: `git-abc` is running');
    expect(markdown).toContain('| Why | p99 \\| doubled<br>after 1.4 |');
    expect(markdown).toContain('### Access');
    expect(markdown).toContain('<details><summary>Service events (2)</summary>');
    expect(markdown).toContain('| 10:01 | steady |');
  });

  it('writes plain text for a terminal: aligned columns, no Markdown', () => {
    expect(sample('terminal')).toBe(
      [
        'Rollout: git-abc is running',
        '===========================',
        '',
        'Environment  staging',
        'Why          p99 | doubled after 1.4',
        '',
        'Access',
        '',
        '- 203.0.113.16/28 would be admitted again',
        '',
        'Service events (2):',
        '  Time   Event',
        '  10:00  started',
        '  10:01  steady',
        '',
      ].join('\n'),
    );
  });
});

describe('escapeCell', () => {
  it('keeps typed text from becoming a column or HTML, and leaves code spans as written', () => {
    expect(escapeCell('bad | <img src=x> [link](http://x) & co\nsecond line')).toBe(
      'bad \\| &#60;img src=x&#62; [link](http://x) &#38; co<br>second line',
    );
    expect(escapeCell('`["a & b"]` → `x|y`')).toBe('`["a & b"]` → `x\\|y`');
  });
});
