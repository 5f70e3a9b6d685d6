// The bootstrap operation over in-memory ports: what it refuses before anything changes, the order of its steps,
// where it stops, and what it hands back when gh cannot run here.
import { describe, expect, it } from 'vitest';
import { environment, withEnvironments } from '../../infra/test/fixtures.ts';
import { parse } from '../../test/config/sources.ts';
import type { AwsState, Step } from '../bootstrap-plan/plan.ts';
import type { Diagnostic } from '../config/diagnostics.ts';
import type { Config } from '../config/model.ts';
import type { ConfigOpening } from '../config/valid-config.ts';
import { type BootstrapPorts, bootstrap, type StepResult } from './bootstrap.ts';

const staging = environment({ name: 'staging', mode: 'private', account: '111122223333' });
const config = withEnvironments(parse().config as Config, [staging]);
const ORIGIN = 'git@github.com:example-org/lattice-ingress.git';
const DEPLOY_ROLE = 'arn:aws:iam::111122223333:role/LatticeIngress-staging-Access-Deploy';
const FRESH: AwsState = {
  callerAccount: '111122223333',
  providers: [],
  executionPolicyExists: true,
  bootstrapped: false,
};
const WARNING: Diagnostic = {
  file: 'config/allowlist.yaml',
  line: 3,
  column: 5,
  severity: 'warning',
  code: 'entry-expires-soon',
  message: 'expires in 3 days',
};

interface Memory {
  opening?: ConfigOpening;
  origin?: string;
  tools?: string[];
  gh?: boolean;
  /** The account as each observation finds it, in turn; an Error is thrown. */
  accounts?: (AwsState | Error)[];
  /** The first command (argv[1], e.g. "deploy") that fails. */
  failing?: string;
}

function memoryPorts(memory: Memory = {}) {
  const accounts = memory.accounts ?? [FRESH, { ...FRESH, accessOutputs: { DeployRoleArn: DEPLOY_ROLE } }];
  const seen = {
    observed: [] as (string | undefined)[],
    ran: [] as string[],
    info: [] as string[],
    warnings: [] as string[],
  };
  const ports: BootstrapPorts = {
    open: async () => memory.opening ?? { state: 'opened', config, warnings: [] },
    installed: (program) => (memory.tools ?? ['aws', 'cdk']).includes(program),
    observeAws: (_env, options) => {
      seen.observed.push(options.profile);
      const account = accounts[Math.min(seen.observed.length - 1, accounts.length - 1)] as AwsState | Error;
      if (account instanceof Error) throw account;
      return account;
    },
    originRemote: () => ('origin' in memory ? memory.origin : ORIGIN),
    ghRuns: () => memory.gh ?? true,
    run: (step: Step): StepResult => {
      seen.ran.push(step.argv.join(' '));
      return step.argv[1] === memory.failing ? { ok: false, why: 'exit 1' } : { ok: true };
    },
    log: { info: (message) => seen.info.push(message), warning: (message) => seen.warnings.push(message) },
  };
  return { ports, seen };
}

const titles = (steps: readonly Step[]) => steps.map((step) => step.argv.slice(0, 3).join(' '));

describe('bootstrap', () => {
  it('runs CDK bootstrap and the Access stack, then the GitHub steps with the role the stack made', async () => {
    const { ports, seen } = memoryPorts();
    const outcome = await bootstrap({ environment: 'staging', profile: 'admin' }, ports);
    expect(outcome.state).toBe('completed');
    if (outcome.state !== 'completed') return;
    expect(titles(outcome.done)).toEqual([
      'cdk bootstrap aws://111122223333/eu-west-1',
      'cdk deploy LatticeIngress-staging-Access',
      'gh api --method',
      'gh variable set',
      'gh variable set',
    ]);
    expect(outcome.githubByHand).toBeUndefined();
    expect(seen.ran[0]).toMatch(/--profile admin$/);
    expect(seen.ran[3]).toContain(`--body ${DEPLOY_ROLE}`);
    // Read before anything runs, and again for the Access stack's outputs.
    expect(seen.observed).toEqual(['admin', 'admin']);
    expect(seen.info[0]).toMatch(
      /^\n==> CDK bootstrap of aws:\/\/111122223333\/eu-west-1.*\n\$ cdk bootstrap /,
    );
  });

  it('hands the GitHub steps back, unrun, when gh cannot run here', async () => {
    const { ports, seen } = memoryPorts({ gh: false });
    const outcome = await bootstrap({ environment: 'staging' }, ports);
    expect(outcome).toMatchObject({ state: 'completed' });
    if (outcome.state !== 'completed') return;
    expect(titles(outcome.done)).toHaveLength(2);
    expect(titles(outcome.githubByHand ?? [])).toEqual([
      'gh api --method',
      'gh variable set',
      'gh variable set',
    ]);
    expect(seen.ran.filter((command) => command.startsWith('gh '))).toEqual([]);
  });

  it('refuses before reading the account when the clone is of another repository or a program is missing', async () => {
    const { ports, seen } = memoryPorts({ origin: 'https://github.com/acme/ingress.git', tools: ['cdk'] });
    const outcome = await bootstrap({ environment: 'staging' }, ports);
    expect(outcome).toMatchObject({ state: 'refused', cause: 'problems', environment: 'staging' });
    if (outcome.state !== 'refused' || outcome.cause !== 'problems') return;
    expect(outcome.problems.map((problem) => problem.what)).toEqual([
      'aws is not installed (not on PATH, not in node_modules/.bin)',
      expect.stringContaining("this clone's origin is acme/ingress"),
    ]);
    expect(seen.observed).toEqual([]);
    expect(seen.ran).toEqual([]);
  });

  it("refuses with the account's problems, running nothing", async () => {
    const { ports, seen } = memoryPorts({ accounts: [{ ...FRESH, callerAccount: undefined }] });
    const outcome = await bootstrap({ environment: 'staging', profile: 'p' }, ports);
    expect(outcome).toMatchObject({
      state: 'refused',
      cause: 'problems',
      problems: [expect.objectContaining({ what: 'no AWS credentials (profile p)' })],
    });
    expect(seen.ran).toEqual([]);
  });

  it('stops at the first step that fails, saying which and what ran before it', async () => {
    const { ports, seen } = memoryPorts({ failing: 'deploy' });
    const outcome = await bootstrap({ environment: 'staging' }, ports);
    expect(outcome).toMatchObject({ state: 'failed', reason: 'exit 1' });
    if (outcome.state !== 'failed') return;
    expect(outcome.step?.argv.slice(0, 2)).toEqual(['cdk', 'deploy']);
    expect(titles(outcome.done)).toEqual(['cdk bootstrap aws://111122223333/eu-west-1']);
    expect(seen.ran).toHaveLength(2);
  });

  it('comes back failed, not thrown, when the account cannot be read', async () => {
    const { ports } = memoryPorts({ accounts: [new Error('aws iam get-policy failed: AccessDenied')] });
    expect(await bootstrap({ environment: 'staging' }, ports)).toEqual({
      state: 'failed',
      reason: 'aws iam get-policy failed: AccessDenied',
      done: [],
    });
  });

  it('refuses an invalid configuration and an unknown environment; shows the warnings of a valid one', async () => {
    const invalid = memoryPorts({ opening: { state: 'invalid', diagnostics: [WARNING] } });
    expect(await bootstrap({ environment: 'staging' }, invalid.ports)).toEqual({
      state: 'refused',
      cause: 'configuration',
      diagnostics: [WARNING],
    });
    const unknown = memoryPorts();
    expect(await bootstrap({ environment: 'qa' }, unknown.ports)).toEqual({
      state: 'refused',
      cause: 'environment',
      reason: 'no environment "qa" in deployment.yaml (known: staging)',
    });
    const warned = memoryPorts({ opening: { state: 'opened', config, warnings: [WARNING] } });
    await bootstrap({ environment: 'staging' }, warned.ports);
    expect(warned.seen.warnings).toEqual([expect.stringContaining('expires in 3 days')]);
  });
});
