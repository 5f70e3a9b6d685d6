import { describe, expect, it } from 'vitest';
import { escapeCell, escapeText } from './markdown.ts';
import { COLOUR, NO_COLOUR, Report, styleFor } from './report.ts';

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

describe('code blocks, emphasis and folded sections', () => {
  const sample = (format: 'markdown' | 'terminal') => {
    const report = new Report(format);
    return report
      .paragraph(`${report.strong('orders:443')}: timeout`)
      .details('Reproduce', report.fork().codeBlock('curl -sS https://orders/', 'sh'), { open: true })
      .text();
  };

  it('fences code and folds a section open in Markdown, without a blank line left before its end', () => {
    expect(sample('markdown')).toBe(
      '**orders:443**: timeout\n\n<details open><summary>Reproduce</summary>\n\n```sh\ncurl -sS https://orders/\n```\n\n</details>\n',
    );
  });

  it('shows the code as it is and the emphasis in bold only with colour in a terminal', () => {
    expect(sample('terminal')).toBe('orders:443: timeout\n\nReproduce:\n  curl -sS https://orders/\n');
    expect(new Report('terminal', COLOUR).strong('x')).toBe(COLOUR.bold('x'));
  });
});

describe('a terminal report', () => {
  it('is coloured only on a terminal and when NO_COLOR is unset', () => {
    expect(styleFor({ isTTY: true }, {})).toBe(COLOUR);
    expect(styleFor({ isTTY: true }, { NO_COLOR: '1' })).toBe(NO_COLOUR);
    expect(styleFor({ isTTY: false }, {})).toBe(NO_COLOUR);
  });

  it('aligns columns by the width on screen, colour codes taking none, the header in bold', () => {
    const report = new Report('terminal', COLOUR).table(
      ['state', 'check'],
      [
        [COLOUR.ok('ok'), 'credentials'],
        ['FAIL', 'a | b'],
      ],
    );
    const lines = report.text().trimEnd().split('\n');
    expect(lines[0]).toBe(COLOUR.bold('state  check'));
    expect(lines.slice(1)).toEqual([`${COLOUR.ok('ok')}     credentials`, 'FAIL   a | b']);
  });

  it('shows typed text as typed: no escaping in a terminal, Markdown syntax escaped in Markdown', () => {
    const reason = 'ticket 42; partner — *compromised* <b>[x](http://x)</b> & `y`';
    expect(new Report('terminal').escape(reason)).toBe(reason);
    expect(new Report('markdown').escape(reason)).toBe(escapeText(reason));
  });
});

describe('escapeText', () => {
  it('backslash-escapes what would start emphasis, a link, code, HTML or an entity', () => {
    expect(escapeText('a *b* _c_ [d](e) `f` <g> &amp; ~h~ #1 | i\\ — j; k')).toBe(
      'a \\*b\\* \\_c\\_ \\[d\\](e) \\`f\\` \\<g\\> \\&amp; \\~h\\~ \\#1 \\| i\\\\ — j; k',
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
