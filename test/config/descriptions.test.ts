// Allowlist descriptions: ordinary names are accepted, a comment after one is pointed out, and the text never
// reaches the NGINX configuration.
import { describe, expect, it } from 'vitest';
import { renderProxy, renderTargetFor } from '../../src/render/render.ts';
import { parse, summary } from './sources.ts';

const allowlist = (body: string) => `allowAnyAddress: false\nentries:\n${body}`;

describe('allowlist descriptions', () => {
  it.each([
    "Siobhan O'Brien's home office",
    'Müller GmbH, Zürich (VPN)',
    'Łukasz Dvořák - Kraków office',
    'Rack #4 (quoted)',
  ])('accepts %s', (description) => {
    const result = parse({
      allowlist: allowlist(
        `  - cidr: 192.0.2.0/24\n    description: "${description.replace(/"/g, '\\"')}"\n`,
      ),
    });
    expect(summary(result)).toEqual([]);
    expect(result.config?.allowlist.entries[0]?.description).toBe(description);
  });

  it('accepts an apostrophe in a plain (unquoted) value', () => {
    const result = parse({ allowlist: allowlist("  - cidr: 192.0.2.0/24\n    description: O'Brien VPN\n") });
    expect(result.config?.allowlist.entries[0]?.description).toBe("O'Brien VPN");
  });

  it.each(['a | b', 'a <b>', 'a `b`', 'a $b', 'a; b', 'a {b}', 'a \\ b', 'a "b"'])(
    'still refuses %s (significant in Markdown or in a YAML or JSON string)',
    (description) => {
      const quoted = JSON.stringify(description);
      const result = parse({ allowlist: allowlist(`  - cidr: 192.0.2.0/24\n    description: ${quoted}\n`) });
      expect(summary(result)).toEqual(['allowlist.yaml:4:18 error invalid-value']);
    },
  );

  it('warns, at the #, when a comment follows a description on its line', () => {
    const result = parse({
      allowlist: allowlist('  - cidr: 192.0.2.0/24\n    description: Rack 4 #B, second floor\n'),
    });
    expect(summary(result)).toEqual(['allowlist.yaml:4:25 warning description-comment']);
    const [warning] = result.diagnostics;
    expect(warning?.message).toBe(
      'the description is "Rack 4": YAML reads "#B, second floor" after it as a comment, not as part of it',
    );
    expect(warning?.hint).toContain('description: "Rack 4 #B, second floor"');
    expect(result.config?.allowlist.entries[0]?.description).toBe('Rack 4');
  });

  it('does not warn about comments on lines of their own or after other keys', () => {
    const result = parse({
      allowlist: allowlist(
        '  # Partner ranges\n  - cidr: 192.0.2.0/24 # new\n    description: Partner\n    # reviewed 2026\n',
      ),
    });
    expect(summary(result)).toEqual([]);
  });

  it('never appear in the rendered NGINX configuration', () => {
    const marker = "Zoë O'Brien (on-call) #7";
    const result = parse({
      allowlist: allowlist(`  - cidr: 192.0.2.0/24\n    description: "${marker}"\n`),
    });
    const config = result.config;
    if (!config) throw new Error(JSON.stringify(result.diagnostics));
    for (const env of config.deployment.environments) {
      const files = renderProxy(config, { ...renderTargetFor(env), extraAllowlist: [] });
      for (const content of files.values()) {
        expect(content).not.toContain('Zoë');
        expect(content).not.toContain('Brien');
      }
    }
  });
});
