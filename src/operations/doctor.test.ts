// The doctor operation over in-memory ports: which environments it checks with which profile, each section shown as
// it is checked, and a section that cannot be read reported on its own while the others still are.
import { describe, expect, it } from 'vitest';
import { environment, withEnvironments } from '../../infra/test/fixtures.ts';
import { parse } from '../../test/config/sources.ts';
import type { AwsState, GithubState } from '../bootstrap-plan/plan.ts';
import type { Config, Environment } from '../config/model.ts';
import { type DoctorPorts, type DoctorSection, doctor } from './doctor.ts';

const staging = environment({ name: 'staging', mode: 'private', account: '111122223333' });
const production = environment({ name: 'production', mode: 'public', account: '444455556666' });
const config = withEnvironments(parse().config as Config, [staging, production]);
const ORIGIN = 'git@github.com:example-org/lattice-ingress.git';

/** An account with credentials for it and nothing bootstrapped yet. */
const fresh = (env: Environment): AwsState => ({
  callerAccount: env.account,
  providers: [],
  executionPolicyExists: true,
  bootstrapped: false,
});

interface Memory {
  tools?: string[];
  /** The account each environment's observation finds; an Error is thrown. */
  accounts?: Record<string, AwsState | Error>;
  github?: GithubState;
}

function memoryPorts(memory: Memory = {}) {
  const seen = { observed: [] as string[], shown: [] as DoctorSection[] };
  const ports: DoctorPorts = {
    open: async () => ({ state: 'opened', config, warnings: [] }),
    installed: (program) => (memory.tools ?? ['aws']).includes(program),
    observeAws: (env, options) => {
      seen.observed.push(`${env.name}:${options.profile ?? '-'}`);
      const account = memory.accounts?.[env.name] ?? fresh(env);
      if (account instanceof Error) throw account;
      return account;
    },
    observeGithub: () => memory.github ?? { remote: ORIGIN },
    observeIngressOutputs: () => undefined,
    observeEndpointAssociations: () => [],
    checked: (section) => seen.shown.push(section),
    log: { info: () => {}, warning: () => {} },
  };
  return { ports, seen };
}

const checks = (section: DoctorSection | undefined) =>
  (section?.findings ?? []).map(
    (finding) => `${finding.ok ? 'ok' : finding.warning ? 'warn' : 'FAIL'} ${finding.check}`,
  );

describe('doctor', () => {
  it('checks every environment when none is named, showing the repository first and each section as it goes', async () => {
    const { ports, seen } = memoryPorts();
    const outcome = await doctor({ environments: [], profiles: [] }, ports);
    expect(outcome.state).toBe('checked');
    if (outcome.state !== 'checked') return;
    expect(seen.shown).toEqual(outcome.sections);
    expect(outcome.sections.map((section) => section.heading)).toEqual([
      'Repository',
      'staging (account 111122223333, eu-west-1)',
      'production (account 444455556666, eu-west-1)',
    ]);
    expect(checks(outcome.sections[0])).toEqual([
      "ok github.repository example-org/lattice-ingress is this clone's origin",
    ]);
    expect(checks(outcome.sections[1])).toContain('FAIL CDK bootstrap in eu-west-1');
    expect(checks(outcome.sections[1])).toContain('warn GitHub side');
  });

  it('counts failed checks, not warnings', async () => {
    const { ports } = memoryPorts();
    const outcome = await doctor({ environments: ['staging'], profiles: [] }, ports);
    if (outcome.state !== 'checked') throw new Error(outcome.state);
    const findings = outcome.sections.flatMap((section) => section.findings);
    expect(outcome.failed).toBe(findings.filter((finding) => !finding.ok && !finding.warning).length);
    expect(findings.some((finding) => finding.warning)).toBe(true);
  });

  it('pairs one profile per environment in order, or gives one profile to all', async () => {
    const paired = memoryPorts();
    await doctor({ environments: ['production', 'staging'], profiles: ['b', 'a'] }, paired.ports);
    expect(paired.seen.observed).toEqual(['production:b', 'staging:a']);
    const shared = memoryPorts();
    await doctor({ environments: [], profiles: ['admin'] }, shared.ports);
    expect(shared.seen.observed).toEqual(['staging:admin', 'production:admin']);
  });

  it('refuses an unknown environment, and profiles that do not pair with the environments', async () => {
    const { ports, seen } = memoryPorts();
    expect(await doctor({ environments: ['qa'], profiles: [] }, ports)).toEqual({
      state: 'refused',
      cause: 'request',
      reason: 'no environment "qa" in deployment.yaml',
      fix: 'use one of staging, production',
    });
    expect(await doctor({ environments: ['staging'], profiles: ['a', 'b'] }, ports)).toMatchObject({
      state: 'refused',
      cause: 'request',
      reason: '2 --profile for 1 environment(s)',
    });
    expect(seen.shown).toEqual([]);
  });

  it('reports an account it cannot read as one failed finding, and still checks the GitHub side and the others', async () => {
    const { ports } = memoryPorts({
      accounts: { staging: new Error('aws sts get-caller-identity failed: ExpiredToken') },
    });
    const outcome = await doctor({ environments: [], profiles: [] }, ports);
    if (outcome.state !== 'checked') throw new Error(outcome.state);
    expect(outcome.sections[1]?.findings[0]).toEqual({
      ok: false,
      check: 'account 111122223333 could be read',
      fix: 'aws sts get-caller-identity failed: ExpiredToken',
    });
    expect(checks(outcome.sections[1])).toContain('warn GitHub side');
    expect(checks(outcome.sections[2])).toContain('ok credentials for account 444455556666');
  });

  it('reads no account without the aws CLI, and says how to install it', async () => {
    const { ports, seen } = memoryPorts({ tools: [] });
    const outcome = await doctor({ environments: ['staging'], profiles: [] }, ports);
    if (outcome.state !== 'checked') throw new Error(outcome.state);
    expect(checks(outcome.sections[1])[0]).toBe('FAIL the aws CLI is installed');
    expect(seen.observed).toEqual([]);
  });
});
