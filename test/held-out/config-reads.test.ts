// The suite passes with any valid config/: config/ is the user's, so no test reads it or falls back to it, and the
// operator fixture that stands in for it shares none of the sample's values.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireValidConfig } from '../../src/config/valid-config.ts';
import { sourceFiles } from '../architecture/imports.ts';
import { findConfigReads } from '../support/config-reads.ts';
import { REPO_ROOT } from '../support/run-action.ts';
import { OPERATOR_CONFIG_DIR, SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

const isTestSource = (file: string) =>
  file.endsWith('.test.ts') || file.startsWith('test/') || file.startsWith('infra/test/');

/** Source lines of a fixture, without its leading comment. */
function plantedLines(name: string): string[] {
  return readFileSync(join(import.meta.dirname, name), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('//'));
}

describe("the repository's config/ in the tests", () => {
  it('is read by no test source', () => {
    const reads = sourceFiles(REPO_ROOT, ['src', 'infra', 'actions', 'scripts', 'test'])
      .filter(isTestSource)
      .flatMap((file) =>
        findConfigReads(readFileSync(join(REPO_ROOT, file), 'utf8')).map(
          (read) =>
            `${file}:${read.line}:${read.column}: ${read.why} (${read.text}); use SAMPLE_CONFIG_DIR or a copy`,
        ),
      );
    expect(reads).toEqual([]);
  });

  it('finds each planted read, on its line', () => {
    const lines = plantedLines('planted-config-reads.txt');
    const found = findConfigReads(lines.join('\n'));
    expect(found.map((read) => read.line)).toEqual(lines.map((_, index) => index + 1));
  });

  it('leaves the sample, copies, schemas, labels and imports alone', () => {
    expect(findConfigReads(plantedLines('allowed-config-reads.txt').join('\n'))).toEqual([]);
  });
});

describe('the operator fixture that stands in for config/', () => {
  it("is valid and shares no environment name, account, range, service or fleet size with the sample's", async () => {
    const operator = (await requireValidConfig(OPERATOR_CONFIG_DIR)).config;
    const sample = (await requireValidConfig(SAMPLE_CONFIG_DIR)).config;
    const values = (config: typeof sample) => [
      ...config.deployment.environments.flatMap((env) => [env.name, env.account, env.vpcCidr]),
      ...config.allowlist.entries.map((entry) => entry.cidr),
      ...config.services.services.flatMap((service) => [service.name, service.domain]),
    ];
    expect(values(operator).filter((value) => values(sample).includes(value))).toEqual([]);
    expect(operator.scaling).not.toMatchObject({ minTasks: sample.scaling.minTasks });
    expect(operator.scaling).not.toMatchObject({ maxTasks: sample.scaling.maxTasks });
  });
});
