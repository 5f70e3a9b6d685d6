import { describe, expect, it } from 'vitest';
import { judgeTargetHealth } from './target-gate.ts';

const TLS =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/Ingres-ProxyTls-ABC/0123456789abcdef';
const HTTP =
  'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/Ingres-ProxyHttp-DEF/fedcba9876543210';

describe('the target health gate behind an untested refusal check', () => {
  it('passes when every target group has at least one healthy target', () => {
    expect(
      judgeTargetHealth([
        { targetGroupArn: TLS, states: ['healthy', 'unhealthy'] },
        { targetGroupArn: HTTP, states: ['healthy'] },
      ]),
    ).toEqual({
      ok: true,
      lines: [
        'Ingres-ProxyTls-ABC: 1 of 2 healthy (healthy, unhealthy)',
        'Ingres-ProxyHttp-DEF: 1 of 1 healthy (healthy)',
      ],
    });
  });

  it('fails naming each target group without a healthy target (every task down, or still starting)', () => {
    const verdict = judgeTargetHealth([
      { targetGroupArn: TLS, states: ['healthy'] },
      { targetGroupArn: HTTP, states: ['unhealthy', 'initial'] },
    ]);
    expect(verdict.ok).toBe(false);
    expect(verdict.problem).toBe('no healthy target in Ingres-ProxyHttp-DEF');
    expect(judgeTargetHealth([{ targetGroupArn: TLS, states: [] }]).problem).toBe(
      'no healthy target in Ingres-ProxyTls-ABC',
    );
  });

  it('fails when there is nothing to judge', () => {
    expect(judgeTargetHealth([])).toMatchObject({
      ok: false,
      problem: 'the Ingress stack has no target groups',
    });
  });
});
