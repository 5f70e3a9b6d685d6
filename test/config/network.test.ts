// deployment.yaml `network`: the optional Transit Gateway attachment, validated like every other field.
import { describe, expect, it } from 'vitest';
import { exampleText, parse, summary } from './sources.ts';

/** The example deployment.yaml with a `network` block added to the first environment (staging). */
function withNetwork(block: string): string {
  return exampleText('deployment').replace(
    '    serviceNetworkId: sn-0123456789abcdef0\n',
    `    serviceNetworkId: sn-0123456789abcdef0\n${block}`,
  );
}

describe('deployment.yaml network', () => {
  it('accepts a Transit Gateway with the client networks to route through it', () => {
    const result = parse({
      deployment: withNetwork(
        '    network:\n      transitGatewayId: tgw-0123456789abcdef0\n      routes: [10.0.0.0/8, 192.168.10.0/24]\n',
      ),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.deployment.environments[0]?.network).toEqual({
      transitGatewayId: 'tgw-0123456789abcdef0',
      routes: ['10.0.0.0/8', '192.168.10.0/24'],
    });
  });

  it('locates a malformed Transit Gateway id, a malformed route and a missing route list', () => {
    const text = withNetwork('    network:\n      transitGatewayId: tgw-xyz\n      routes: [10.0.0.0/33x]\n');
    const result = parse({ deployment: text });
    const lines = text.split('\n');
    const line = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(summary(result)).toEqual([
      `deployment.yaml:${line('tgw-xyz')}:25 error invalid-value`,
      `deployment.yaml:${line('10.0.0.0/33x')}:16 error invalid-value`,
    ]);
    expect(result.diagnostics[0]?.message).toContain('tgw-0123456789abcdef0');
    expect(result.config).toBeUndefined();

    const empty = parse({
      deployment: withNetwork(
        '    network:\n      transitGatewayId: tgw-0123456789abcdef0\n      routes: []\n',
      ),
    });
    expect(empty.diagnostics.map((d) => d.message)).toEqual([
      expect.stringContaining('network.routes lists the client networks'),
    ]);
    const missing = parse({ deployment: withNetwork('    network:\n      routes: [10.0.0.0/8]\n') });
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['missing-key']);
  });
});
