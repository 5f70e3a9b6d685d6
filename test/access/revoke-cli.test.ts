// `lattice-ingress revoke` as a person runs it, AWS answered at the SDK client boundary.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  EC2Client,
  type NetworkAclEntry,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REVOCATION_RULES } from '../../src/access/revocation.ts';
import { main } from '../../src/cli/main.ts';
import { INGRESS_OUTPUTS } from '../../src/contract/outputs.ts';
import { EXAMPLE_DIR } from '../config/sources.ts';

const ACL = 'acl-0123456789abcdef0';
const cfn = mockClient(CloudFormationClient);
const ec2 = mockClient(EC2Client);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function configCopy(): string {
  const root = mkdtempSync(join(tmpdir(), 'lattice-ingress-revoke-'));
  dirs.push(root);
  cpSync(EXAMPLE_DIR, join(root, 'config'), { recursive: true });
  return join(root, 'config');
}

function denies(...rules: [number, string][]): NetworkAclEntry[] {
  return rules.flatMap(([RuleNumber, CidrBlock]) =>
    [false, true].map((Egress) => ({
      RuleNumber,
      CidrBlock,
      Egress,
      RuleAction: 'deny' as const,
      Protocol: '-1',
    })),
  );
}

async function revoke(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    return { status: await main(['revoke', ...args]), stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

let summary: string;
let home: string;
const savedHome = process.env.HOME;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'lattice-ingress-home-'));
  dirs.push(home);
  process.env.HOME = home;
  cfn.reset();
  ec2.reset();
  cfn.on(DescribeStacksCommand).resolves({
    Stacks: [
      {
        StackName: 'LatticeIngress-staging-Ingress',
        StackStatus: 'UPDATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: [{ OutputKey: INGRESS_OUTPUTS.revocationAclId, OutputValue: ACL }],
      },
    ],
  });
  ec2.on(DescribeNetworkAclsCommand).resolves({
    NetworkAcls: [{ NetworkAclId: ACL, Entries: denies([REVOCATION_RULES.first, '192.0.2.99/32']) }],
  });
  summary = join(mkdtempSync(join(tmpdir(), 'lattice-ingress-summary-')), 'summary.md');
  dirs.push(summary);
  process.env.GITHUB_STEP_SUMMARY = summary;
  process.env.GITHUB_ACTOR = 'oncall-alice';
});
afterEach(() => {
  process.env.HOME = savedHome;
  delete process.env.GITHUB_STEP_SUMMARY;
  delete process.env.GITHUB_ACTOR;
});

const base = (config: string) => ['--environment', 'staging', '--config', config];

describe('lattice-ingress revoke', () => {
  it('denies the range both ways with the lowest free reserved rule, and records who, why and when', async () => {
    const config = configCopy();
    const result = await revoke([
      ...base(config),
      '--cidr',
      '203.0.113.16/28',
      '--reason',
      'Compromised partner host',
    ]);
    expect(result.status).toBe(0);
    const created = ec2.commandCalls(CreateNetworkAclEntryCommand).map((c) => c.args[0].input);
    expect(created).toEqual(
      [false, true].map((Egress) => ({
        NetworkAclId: ACL,
        RuleNumber: REVOCATION_RULES.first + 1,
        Egress,
        Protocol: '-1',
        RuleAction: 'deny',
        CidrBlock: '203.0.113.16/28',
      })),
    );
    const recorded = readFileSync(summary, 'utf8');
    expect(recorded).toContain('| oncall-alice | Compromised partner host |');
    expect(recorded).toMatch(/\| \d{4}-\d{2}-\d{2}T[\d:.]+Z \| 101 \|/);
    const logged = readFileSync(join(home, '.lattice-ingress', 'revocations.log'), 'utf8')
      .trim()
      .split('\n');
    expect(logged.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({
        environment: 'staging',
        cidr: '203.0.113.16/28',
        who: 'oncall-alice',
        why: 'Compromised partner host',
        rule: 101,
        changed: true,
      }),
    ]);
  });

  it('takes a reason with ; and an em dash, and shows it as typed in the summary, the log and the pull request', async () => {
    const reason = 'ticket 42; partner — compromised <b>*now*</b> | [x](http://x)';
    const body = join(home, 'body.md');
    const result = await revoke([
      ...base(configCopy()),
      '--cidr',
      '203.0.113.16/28',
      '--reason',
      reason,
      '--write-allowlist',
      '--pull-request-body',
      body,
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(2);
    expect(readFileSync(summary, 'utf8')).toContain(
      '| oncall-alice | ticket 42; partner — compromised &#60;b&#62;*now*&#60;/b&#62; \\| [x](http://x) |',
    );
    const logged = readFileSync(join(home, '.lattice-ingress', 'revocations.log'), 'utf8').trim();
    expect(JSON.parse(logged).why).toBe(reason);
    expect(readFileSync(body, 'utf8').split('\n')[0]).toBe(
      'Revoked `203.0.113.16/28` in staging by @oncall-alice: ticket 42; partner — compromised \\<b\\>\\*now\\*\\</b\\> \\| \\[x\\](http://x)',
    );
  });

  it('refuses a reason on two lines before contacting AWS', async () => {
    const args = [...base(configCopy()), '--cidr', '203.0.113.16/28', '--reason', 'two\nlines'];
    const result = await revoke(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--reason contains U+000A LINE FEED');
    expect(cfn.calls()).toHaveLength(0);
  });

  it('takes --env for --environment, and says in one line that there are no credentials', async () => {
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    cfn.on(DescribeStacksCommand).rejects(noCredentials);
    const result = await revoke([
      '--env',
      'staging',
      '--config',
      configCopy(),
      '--cidr',
      '203.0.113.16/28',
      '--reason',
      'test',
    ]);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n')).toEqual([
      expect.stringMatching(
        /^lattice-ingress revoke: revoking 203\.0\.113\.16\/28 in staging failed: no AWS credentials \(Could not load credentials from any providers\): .*--profile.*Nothing was changed\.$/,
      ),
    ]);
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(0);
  });

  it('--profile reads the credentials of that profile', async () => {
    const aws = join(home, 'aws');
    mkdirSync(aws);
    writeFileSync(
      join(aws, 'credentials'),
      '[oncall]\naws_access_key_id = AKIDONCALL\naws_secret_access_key = secret\n',
    );
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(aws, 'credentials');
    process.env.AWS_CONFIG_FILE = join(aws, 'config');
    try {
      const args = [...base(configCopy()), '--list', '--profile', 'oncall'];
      expect((await revoke(args)).status).toBe(0);
      const credentials = await cfn.call(0).thisValue.config.credentials();
      expect(credentials.accessKeyId).toBe('AKIDONCALL');
    } finally {
      delete process.env.AWS_SHARED_CREDENTIALS_FILE;
      delete process.env.AWS_CONFIG_FILE;
    }
  });

  it('--write-allowlist removes the revoked entry from allowlist.yaml', async () => {
    const config = configCopy();
    const args = [
      ...base(config),
      '--cidr',
      '203.0.113.16/28',
      '--reason',
      'Contract ended',
      '--write-allowlist',
    ];
    expect((await revoke(args)).status).toBe(0);
    const allowlist = readFileSync(join(config, 'allowlist.yaml'), 'utf8');
    expect(allowlist).not.toContain('203.0.113.16/28');
    expect(allowlist).toContain('198.51.100.0/24');
  });

  it.each([
    ['not-a-cidr', /not a CIDR/],
    ['203.0.113.17/28', /host bits set/],
    ['12.0.0.0/6', /wider than \/8/],
    ['10.42.1.0/24', /overlaps the VPC's own range/],
  ])('refuses %s before contacting AWS', async (cidr, reason) => {
    const result = await revoke([...base(configCopy()), '--cidr', cidr, '--reason', 'test']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toContain('Nothing was changed.');
    expect(cfn.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });

  it('refuses when every reserved rule is in use, and changes nothing', async () => {
    const full = Array.from(
      { length: REVOCATION_RULES.count },
      (_, i) => [REVOCATION_RULES.first + i, `192.0.2.${i}/32`] as [number, string],
    );
    ec2
      .on(DescribeNetworkAclsCommand)
      .resolves({ NetworkAcls: [{ NetworkAclId: ACL, Entries: denies(...full) }] });
    const result = await revoke([...base(configCopy()), '--cidr', '203.0.113.16/28', '--reason', 'test']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/all 18 revocation rules are in use/);
    expect(ec2.commandCalls(CreateNetworkAclEntryCommand)).toHaveLength(0);
  });

  it('--lift removes the denies the allowlist no longer admits, and keeps the others', async () => {
    ec2.on(DescribeNetworkAclsCommand).resolves({
      NetworkAcls: [{ NetworkAclId: ACL, Entries: denies([100, '192.0.2.99/32'], [101, '198.51.100.7/32']) }],
    });
    const result = await revoke([...base(configCopy()), '--lift']);
    expect(result.status).toBe(0);
    const deleted = ec2.commandCalls(DeleteNetworkAclEntryCommand).map((c) => c.args[0].input);
    // 198.51.100.7 is inside the head office entry, still allowed: its deny stays.
    expect(deleted).toEqual([
      { NetworkAclId: ACL, RuleNumber: 100, Egress: false },
      { NetworkAclId: ACL, RuleNumber: 100, Egress: true },
    ]);
  });
});
