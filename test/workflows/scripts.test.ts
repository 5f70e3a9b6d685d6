// The small pieces the workflows run: the deploy matrix, the pull request plan sections, which gate a change needs,
// whether a deploy may skip the suite, and the failure line of a deploy.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { cdkDiffSection } from '../../.github/scripts/cdk-diff-section.ts';
import { codeFiles } from '../../.github/scripts/changed-files.ts';
import { failureMessage } from '../../.github/scripts/failure-report.ts';
import { ingressExists } from '../../.github/scripts/ingress-exists.ts';
import { validationStatus } from '../../.github/scripts/plan-status.ts';
import { escapeCell, rollbackRecord } from '../../.github/scripts/rollback-record.ts';
import { Stacks } from '../../src/aws/cloudformation.ts';
import { type Deployment, DeploymentSchema, type Environment } from '../../src/config/model.ts';
import { environmentEntries } from '../../src/contract/matrix.ts';
import { previewRoleVariable } from '../../src/contract/names.ts';
import { GATE_CHECK, gatherEvidence, type RepoGet, testedTree } from '../../src/github/tested-tree.ts';
import { OWN_ENVIRONMENTS, ownConfigDir } from './own-config.ts';

const root = resolve(import.meta.dirname, '../..');

const deployment: Deployment = DeploymentSchema.parse({
  environments: [
    {
      name: 'staging-eu',
      account: '111122223333',
      region: 'eu-west-1',
      mode: 'private',
      vpcCidr: '10.0.0.0/20',
      github: { repository: 'o/r', environment: 'stage' },
      smokeRunner: 'vpn-runner',
    },
    {
      name: 'prod',
      account: '444455556666',
      region: 'us-east-1',
      mode: 'public',
      vpcCidr: '10.1.0.0/20',
      github: { repository: 'o/r' },
    },
  ],
});

describe('deploy matrix', () => {
  it('carries what each job needs, in deployment order', () => {
    expect(environmentEntries(deployment)).toEqual([
      {
        name: 'staging-eu',
        githubEnvironment: 'stage',
        account: '111122223333',
        region: 'eu-west-1',
        partition: 'aws',
        mode: 'private',
        smokeRunner: 'vpn-runner',
        smokeEndpoint: 'private',
        refusalCheck: false,
        previewRoleVariable: 'PREVIEW_ROLE_ARN_STAGING_EU',
      },
      expect.objectContaining({
        name: 'prod',
        githubEnvironment: 'prod',
        smokeRunner: '',
        smokeEndpoint: 'public',
        refusalCheck: true,
      }),
    ]);
  });

  it('puts each Region in its ARN partition, for the roles the workflows assume', () => {
    const inRegion = (region: string) =>
      environmentEntries(
        DeploymentSchema.parse({
          environments: [{ ...deployment.environments[0], availabilityZones: undefined, region }],
        }),
      )[0]?.partition;
    expect(inRegion('eu-west-1')).toBe('aws');
    expect(inRegion('cn-north-1')).toBe('aws-cn');
    expect(inRegion('us-gov-west-1')).toBe('aws-us-gov');
  });

  it('is what `lattice-ingress environments --json` prints, and --only refuses a name not in the config', () => {
    const dir = ownConfigDir();
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/lattice-ingress.mjs', 'environments', '--config', dir, ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const all = cli('--json');
    expect(all.stderr).toBe('');
    const entries = JSON.parse(all.stdout) as { name: string }[];
    expect(entries.map((entry) => entry.name)).toEqual(OWN_ENVIRONMENTS);
    expect(entries[0]).toMatchObject({ name: 'production', githubEnvironment: 'prod', partition: 'aws' });
    expect(entries.at(-1)).toMatchObject({ name: 'blue-team', smokeRunner: '' });
    expect(JSON.parse(cli('--json', '--only', 'blue-team').stdout)).toEqual([
      expect.objectContaining({ name: 'blue-team' }),
    ]);
    // What the Rollback workflow's first job prints for a mistyped name, before anything is contacted.
    const unknown = cli('--json', '--only', 'prodution');
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toContain(
      `no environment named "prodution" in deployment.yaml (there are: ${OWN_ENVIRONMENTS.join(', ')})`,
    );
  });

  it('names preview role variables the way GitHub allows', () => {
    expect(previewRoleVariable('eu-prod-2')).toMatch(/^[A-Z0-9_]+$/);
  });
});

describe('plan sections', () => {
  it('summarises validation', () => {
    expect(validationStatus({ outcome: 'success', errors: 0, warnings: 2 })).toContain(
      'passed** with 2 warning(s)',
    );
    expect(validationStatus({ outcome: 'failure', errors: 3, warnings: 0 })).toContain('3 error(s)');
    expect(validationStatus({ outcome: '', errors: 0, warnings: 0 })).toContain('did not complete');
  });

  it('uses the diff file of the action, or says why there is none', () => {
    const file = '### `cdk diff` e\n\nNo infrastructure changes.\n';
    expect(cdkDiffSection({ environment: 'e', outcome: 'success', markdown: file })).toBe(file.trim());
    expect(cdkDiffSection({ environment: 'e', outcome: 'failure' })).toContain(
      '**No diff**: the diff step ended with "failure"',
    );
    expect(cdkDiffSection({ environment: 'e', outcome: 'success' })).toContain('wrote no diff file');
  });
});

describe('rollback record', () => {
  it('keeps a typed reason from becoming Markdown or HTML', () => {
    const cell = escapeCell('bad | <img src=x> [link](http://x)\nsecond line');
    expect(cell).not.toMatch(/[|<>[\]\n]/);
    const record = rollbackRecord({
      actor: 'alice',
      environment: 'production',
      target: 'previous',
      reason: 'p99 doubled | after 1.4',
      outcome: 'success',
      imageTag: 'git-abc',
      rolledBackFrom: 'git-def',
    });
    expect(record).toContain('| Requested by | @alice |');
    expect(record).toContain('| Now running | git-abc |');
    expect(record).toContain('p99 doubled &#124; after 1.4');
  });

  it('says plainly when the rollback did not complete', () => {
    const record = rollbackRecord({
      actor: 'a',
      environment: 'e',
      target: 'git-x',
      reason: 'r',
      outcome: 'failure',
    });
    expect(record).toContain('Rollback of e failed');
    expect(record).toContain('(unchanged: the rollback did not complete)');
  });
});

describe('which gate a pull request needs', () => {
  it('is the config gate alone when only config/ changed', () => {
    expect(codeFiles(['config/allowlist.yaml', 'config/services.yaml'])).toEqual([]);
    expect(codeFiles([])).toEqual([]);
  });

  it('adds the whole suite for any other file, including the workflows and files named like config', () => {
    expect(
      codeFiles(['config/allowlist.yaml', 'src/config/model.ts', '.github/workflows/pr.yml', 'configure.md']),
    ).toEqual(['src/config/model.ts', '.github/workflows/pr.yml', 'configure.md']);
  });
});

describe('a deploy skips the suite only for a tree the pull request gate passed', () => {
  const tree = 'a'.repeat(40);
  const pull = { number: 7, headSha: 'b'.repeat(40), headTree: tree, gatePassed: true };

  it('skips when a merged pull request had this exact tree and its gate passed', () => {
    expect(testedTree(tree, [pull])).toEqual({ tested: true, reason: expect.stringContaining('#7') });
  });

  it('tests when the branch was behind main (the merge made a tree nobody tested)', () => {
    const verdict = testedTree(tree, [{ ...pull, headTree: 'c'.repeat(40) }]);
    expect(verdict).toEqual({ tested: false, reason: expect.stringContaining('behind main') });
  });

  it('tests when the gate did not pass on that tree, or there is no pull request', () => {
    expect(testedTree(tree, [{ ...pull, gatePassed: false }]).tested).toBe(false);
    expect(testedTree(tree, []).tested).toBe(false);
  });

  it('counts only the gate reported by GitHub Actions on the head commit', async () => {
    const merge = 'd'.repeat(40);
    const checks = (slug: string) => ({ check_runs: [{ conclusion: 'success', app: { slug } }] });
    const api = (slug: string): RepoGet => {
      const answers: Record<string, unknown> = {
        [`/git/commits/${merge}`]: { tree: { sha: tree } },
        [`/git/commits/${pull.headSha}`]: { tree: { sha: tree } },
        [`/commits/${merge}/pulls`]: [{ number: 7, head: { sha: pull.headSha } }],
        [`/commits/${pull.headSha}/check-runs?check_name=${encodeURIComponent(GATE_CHECK)}&filter=latest`]:
          checks(slug),
      };
      return async (path) => {
        if (!(path in answers)) throw new Error(`unexpected GET ${path}`);
        return answers[path];
      };
    };
    expect(await gatherEvidence(api('github-actions'), merge)).toEqual({ tree, pulls: [pull] });
    const impostor = await gatherEvidence(api('someone-elses-app'), merge);
    expect(testedTree(impostor.tree, impostor.pulls).tested).toBe(false);
  });
});

describe('the failure line of a deploy', () => {
  const base = { stage: 'deploy' as const, environment: 'staging', failedTag: 'git-abc' };

  it('says what the automatic rollback did', () => {
    expect(failureMessage({ ...base, rollbackOutcome: 'success', rolledBackTo: 'git-old' })).toBe(
      'Deployment of git-abc to staging failed; rolled back to git-old.',
    );
    expect(failureMessage({ ...base, rollbackOutcome: 'failure' })).toContain(
      'THE AUTOMATIC ROLLBACK FAILED TOO',
    );
  });

  it('does not claim nothing was rolled out when cdk deploy itself replaced tasks', () => {
    const tripped = failureMessage({ ...base, rollbackOutcome: '', infraRolledOut: true });
    expect(tripped).not.toContain('nothing was rolled out');
    expect(tripped).toContain('CloudFormation rolled the stack back to the previous version');
    expect(failureMessage({ ...base, rollbackOutcome: '', infraRolledOut: false })).toBe(
      'Deployment of git-abc to staging failed; nothing was rolled out, so nothing was rolled back.',
    );
  });

  it('words a failed verification as such', () => {
    expect(failureMessage({ stage: 'verify', environment: 'prod', rollbackOutcome: '' })).toBe(
      'Verification of prod from its smoke runner failed; the services were not checked, so nothing was rolled back.',
    );
  });
});

describe('ingress stack lookup', () => {
  const cfn = mockClient(CloudFormationClient);
  afterEach(() => cfn.reset());
  const environment = { name: 'blue-team' } as Environment;

  it('finds an existing Ingress stack by its name', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'LatticeIngress-blue-team-Ingress' }).resolves({
      Stacks: [
        {
          StackName: 'LatticeIngress-blue-team-Ingress',
          StackStatus: 'UPDATE_COMPLETE',
          CreationTime: new Date(),
        },
      ],
    });
    expect(await ingressExists(new Stacks(new CloudFormationClient({})), environment)).toBe(true);
  });

  it('answers false for the first deployment (CloudFormation: "Stack with id ... does not exist")', async () => {
    cfn.on(DescribeStacksCommand).rejects(
      Object.assign(new Error('Stack with id LatticeIngress-blue-team-Ingress does not exist'), {
        name: 'ValidationError',
      }),
    );
    expect(await ingressExists(new Stacks(new CloudFormationClient({})), environment)).toBe(false);
  });
});
