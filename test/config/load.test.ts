import { describe, expect, it } from 'vitest';
import { sortDiagnostics } from '../../src/config/diagnostics.ts';
import { firstInvalidUtf8Offset, MAX_FILE_BYTES, parseConfigParts } from '../../src/config/load.ts';
import { allowlistYaml, exampleText, parse, sources, summary } from './sources.ts';

const scaling = exampleText('scaling');
const services = exampleText('services');

describe('YAML hazards', () => {
  it('reports every duplicate key with the line of the first', () => {
    const result = parse({ scaling: `${scaling}minTasks: 3\nmaxTasks: 4\n` });
    expect(summary(result)).toEqual([
      'scaling.yaml:15:1 error yaml-duplicate-key',
      'scaling.yaml:16:1 error yaml-duplicate-key',
    ]);
    expect(result.diagnostics[0]?.message).toBe('duplicate key "minTasks" (first on line 6)');
  });

  it('refuses anchors and aliases outright (no expansion bombs)', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      '',
    ].join('\n');
    const result = parse({ scaling: bomb });
    expect(result.diagnostics.every((d) => d.file === 'config/scaling.yaml' && d.severity === 'error')).toBe(
      true,
    );
    expect(result.diagnostics.map((d) => d.code)).toContain('yaml-anchor');
    expect(result.diagnostics.map((d) => d.code)).toContain('yaml-alias');
    expect(result.diagnostics[0]).toMatchObject({ line: 1, column: 4 });
  });

  it('reports invalid UTF-8 at its line and column', () => {
    const bytes = new TextEncoder().encode(`${scaling}# caf\u00e9 ok\n# bad: X\n`);
    const at = bytes.lastIndexOf(0x58); // the X
    bytes[at] = 0xc3; // a lead byte followed by a newline: invalid
    const result = parse({ scaling: bytes });
    expect(summary(result)).toEqual(['scaling.yaml:16:8 error not-utf8']);
    expect(result.diagnostics[0]?.message).toBe('byte 0xc3 is not valid UTF-8');
  });

  it('finds the first invalid byte, keeping a BOM and valid multi-byte characters intact', () => {
    const valid = new TextEncoder().encode('\ufeffé€😀');
    expect(firstInvalidUtf8Offset(valid)).toBeUndefined();
    expect(firstInvalidUtf8Offset(new Uint8Array([...valid, 0xff, 0x41]))).toBe(valid.length);
    expect(firstInvalidUtf8Offset(new Uint8Array([0x41, 0xe2, 0x82]))).toBe(1);
  });

  it('refuses deep nesting', () => {
    const deep = `minTasks: ${'['.repeat(40)}1${']'.repeat(40)}\n`;
    expect(summary(parse({ scaling: deep }))[0]).toMatch(/^scaling\.yaml:1:\d+ error yaml-too-deep$/);
  });

  it('refuses files over the size limit before parsing them', () => {
    const result = parse({ allowlist: new Uint8Array(MAX_FILE_BYTES + 1) });
    expect(summary(result)).toEqual(['allowlist.yaml:1:1 error file-too-large']);
  });

  it('reports syntax errors, tabs and empty files at a position', () => {
    expect(summary(parse({ scaling: 'minTasks: [1\n' }))).toEqual(['scaling.yaml:2:1 error yaml-syntax']);
    const tabs = parse({ scaling: `${scaling}\ttaskCpu: 512\n` });
    expect(tabs.diagnostics[0]?.hint).toContain('spaces');
    expect(summary(parse({ scaling: '# nothing here\n' }))).toEqual(['scaling.yaml:1:1 error empty-file']);
    expect(summary(parse({ scaling: 'a: 1\n---\nb: 2\n' }))[0]).toMatch(/yaml-syntax/);
  });

  it('suggests the key that was meant, without also reporting it missing', () => {
    const result = parse({
      allowlist: allowlistYaml(['cidr: 192.0.2.0/24, descripton: Typo']),
      scaling: scaling.replace(/^minTasks/m, 'MinTasks').replace(/^cpuTargetPercent/m, 'cpuTarget'),
    });
    expect(summary(result)).toEqual([
      'allowlist.yaml:3:26 error unknown-key',
      'scaling.yaml:6:1 error unknown-key',
      'scaling.yaml:8:1 error unknown-key',
    ]);
    expect(result.diagnostics.map((d) => d.hint)).toEqual([
      'did you mean "description"?',
      'did you mean "minTasks"?',
      'did you mean "cpuTargetPercent"?',
    ]);
  });

  it('lists the allowed keys when nothing is close, and reports a truly missing key', () => {
    const result = parse({ scaling: scaling.replace('minTasks: 2', 'replicas: 2') });
    expect(summary(result)).toEqual([
      'scaling.yaml:6:1 error missing-key',
      'scaling.yaml:6:1 error unknown-key',
    ]);
    expect(result.diagnostics[0]?.message).toBe('document: required key "minTasks" is missing');
    expect(result.diagnostics[1]?.hint).toContain('minTasks, maxTasks');
  });

  it('suggests enum values', () => {
    const result = parse({ services: services.replace('auth: none', 'auth: nnone') });
    expect(result.diagnostics[0]?.hint).toBe('did you mean none?');
  });

  it('explains wrong types, including what YAML 1.1 tools would read', () => {
    const result = parse({
      allowlist: allowlistYaml(['cidr: 10, description: Number']),
      scaling: scaling.replace('minTasks: 2', 'minTasks: 1:30').replace('taskCpu: 512', 'taskCpu: yes'),
      deployment: exampleText('deployment').replace('account: "111122223333"', 'account: 011122223333'),
    });
    const byCode = sortDiagnostics(result.diagnostics).map(
      (d) => `${d.file.split('/')[1]}:${d.line} ${d.code}: ${d.hint}`,
    );
    expect(byCode).toEqual([
      'allowlist.yaml:3 wrong-type: YAML reads the unquoted 10 as the number 10; quote it: "10"',
      'deployment.yaml:14 wrong-type: YAML 1.2 reads the unquoted 011122223333 as the number 11122223333, YAML 1.1 tools as the octal number 1229530843; quote it: "011122223333"',
      'scaling.yaml:6 wrong-type: YAML 1.2 reads the unquoted 1:30 as the text "1:30", YAML 1.1 tools as the base-60 number 90; write a number',
      'scaling.yaml:13 invalid-value: YAML 1.2 reads the unquoted yes as the text "yes", YAML 1.1 tools as the boolean true',
    ]);
  });

  it('warns about unquoted scalars that YAML 1.1 tools read differently', () => {
    const result = parse({
      scaling: scaling.replace('taskMemoryMiB: 1024', 'taskMemoryMiB: 02000'),
      allowlist: allowlistYaml(['cidr: 192.0.2.0/24, description: no']),
    });
    expect(summary(result)).toEqual([
      'allowlist.yaml:3:39 warning yaml-ambiguous-scalar',
      'scaling.yaml:14:16 error fargate-size',
      'scaling.yaml:14:16 warning yaml-ambiguous-scalar',
    ]);
    expect(result.diagnostics.find((d) => d.code === 'yaml-ambiguous-scalar' && d.line === 14)?.message).toBe(
      'YAML 1.2 reads the unquoted 02000 as the number 2000, YAML 1.1 tools as the octal number 1024',
    );
  });
});

describe('reporting', () => {
  it('reports problems of every file in one run: a schema error in one file hides nothing in the others', () => {
    const result = parse({
      allowlist: allowlistYaml(['cidr: 192.0.2.1/24, description: Host bits']),
      services: services.replace('ports: [443]', 'ports: [8443]'),
      scaling: scaling.replace('maxTasks: 10', 'maxTasks: 1'),
      deployment: exampleText('deployment').replace(
        'region: eu-west-1\n    mode: private',
        'region: EU\n    mode: private',
      ),
    });
    expect(summary(result)).toEqual([
      'allowlist.yaml:3:12 error cidr-not-canonical',
      'deployment.yaml:15:13 error invalid-value',
      'scaling.yaml:6:11 error scaling-min-above-max',
      'services.yaml:24:13 error invalid-value',
    ]);
    expect(result.config).toBeUndefined();
    expect(Object.keys(result.parts).sort()).toEqual(['allowlist', 'scaling']);
  });

  it('gives a diff base the parts parseConfig gives, rules or not', () => {
    const broken = {
      allowlist: allowlistYaml(['cidr: 192.0.2.1/24, description: Host bits']),
      scaling: scaling.replace('maxTasks: 10', 'maxTasks: 1'),
      services: services.replace('ports: [443]', 'ports: [8443]'),
    };
    for (const overrides of [{}, broken]) {
      expect(parseConfigParts(sources(overrides))).toEqual(parse(overrides).parts);
    }
  });

  it('returns the config, with defaults applied, only when there are no errors', () => {
    const result = parse({ scaling: 'minTasks: 2\nmaxTasks: 4\n' });
    expect(result.diagnostics).toEqual([]);
    expect(result.config?.scaling).toMatchObject({ taskCpu: 512, taskMemoryMiB: 1024, cpuTargetPercent: 60 });
  });
});
