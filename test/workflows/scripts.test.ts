// The small pieces the workflows run: the deploy matrix and the pull request plan sections.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cdkDiffSection } from '../../.github/scripts/cdk-diff-section.ts';
import { validationStatus } from '../../.github/scripts/plan-status.ts';
import { escapeCell, rollbackRecord } from '../../.github/scripts/rollback-record.ts';
import { endpointFrom } from '../../.github/scripts/stack-endpoint.ts';
import { environmentEntries } from '../../src/cli/commands/environments.ts';
import { loadConfig } from '../../src/config/load.ts';
import { type Deployment, DeploymentSchema } from '../../src/config/model.ts';
import { previewRoleVariable } from '../../src/contract/names.ts';

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

  it('is what `lattice-ingress environments --json` prints for the workflows', async () => {
    const root = resolve(import.meta.dirname, '../..');
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, ['bin/lattice-ingress.mjs', 'environments', ...args], {
        cwd: root,
        encoding: 'utf8',
      });
    const all = cli('--json');
    expect(all.status).toBe(0);
    const { config } = await loadConfig(resolve(root, 'config'));
    expect(JSON.parse(all.stdout)).toEqual(environmentEntries(config?.deployment ?? { environments: [] }));
    const last = config?.deployment.environments.at(-1)?.name ?? '';
    expect(JSON.parse(cli('--json', '--only', last).stdout)).toEqual([
      expect.objectContaining({ name: last }),
    ]);
    const unknown = cli('--json', '--only', 'no-such-env');
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('no environment named "no-such-env" in deployment.yaml (there are: ');
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

describe('stack endpoint', () => {
  const outputs = [{ OutputKey: 'PrivateLoadBalancerDnsName', OutputValue: 'internal-x.elb.amazonaws.com' }];
  it('reads the load balancer name from the ingress stack outputs', () => {
    expect(endpointFrom(outputs, 'private', 'S')).toBe('internal-x.elb.amazonaws.com');
  });
  it('explains a missing one', () => {
    expect(() => endpointFrom(outputs, 'public', 'S')).toThrow(/S has no PublicLoadBalancerDnsName output/);
  });
});
