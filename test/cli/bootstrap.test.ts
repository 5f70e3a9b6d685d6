// bootstrap and doctor as a person runs them, with fake aws, cdk and gh on PATH that record their arguments and
// answer from a state file (cdk deploy makes the Access stack's outputs appear), in a clone whose origin is set.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/run-action.ts';
import { SAMPLE_CONFIG_DIR } from '../support/sample-config.ts';

const FAKE = `#!/usr/bin/env node
const { appendFileSync, readFileSync, writeFileSync } = require('node:fs');
const { basename } = require('node:path');
const tool = basename(process.argv[1]);
const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_LOG, JSON.stringify({ tool, args }) + '\\n');
const state = JSON.parse(readFileSync(process.env.FAKE_STATE, 'utf8'));
if (tool === 'cdk' && args[0] === 'deploy') {
  Object.assign(state.answers, state.afterDeploy);
  writeFileSync(process.env.FAKE_STATE, JSON.stringify(state));
}
// The lookup key: the tool and its arguments, less the options every call repeats.
const repeated = new Set(['--region', '--output', '--profile', '--repo', '--json']);
const words = [tool];
for (let i = 0; i < args.length; i++) repeated.has(args[i]) ? i++ : words.push(args[i]);
const key = words.join(' ');
const answer = state.answers[key] ?? (args[0] === '--version' ? { stdout: tool + ' 1.0' } : state.otherwise[tool]);
if (answer.stdout !== undefined)
  process.stdout.write(typeof answer.stdout === 'string' ? answer.stdout : JSON.stringify(answer.stdout));
if (answer.stderr) process.stderr.write(answer.stderr);
process.exitCode = answer.code ?? 0;
`;

const ACCOUNT = '111122223333';
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const POLICY = `arn:aws:iam::${ACCOUNT}:policy/LatticeIngressCdkExecution`;
const DEPLOY_ROLE = `arn:aws:iam::${ACCOUNT}:role/LatticeIngress-staging-Access-Deploy`;
const PREVIEW_ROLE = `arn:aws:iam::${ACCOUNT}:role/LatticeIngress-staging-Access-Preview`;
const ACCESS_STACK = 'aws cloudformation describe-stacks --stack-name LatticeIngress-staging-Access';
const deployed = {
  [ACCESS_STACK]: {
    stdout: {
      Stacks: [
        {
          Outputs: [
            { OutputKey: 'DeployRoleArn', OutputValue: DEPLOY_ROLE },
            { OutputKey: 'PreviewRoleArn', OutputValue: PREVIEW_ROLE },
            { OutputKey: 'OidcProviderArn', OutputValue: PROVIDER },
          ],
        },
      ],
    },
  },
  'aws iam list-open-id-connect-providers': { stdout: { OpenIDConnectProviderList: [{ Arn: PROVIDER }] } },
  'aws cloudformation describe-stacks --stack-name CDKToolkit': { stdout: { Stacks: [{}] } },
  'aws iam get-role --role-name LatticeIngress-staging-Access-Deploy': {
    stdout: {
      Role: {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Condition: {
                StringEquals: {
                  'token.actions.githubusercontent.com:sub':
                    'repo:example-org/lattice-ingress:environment:staging',
                },
              },
            },
          ],
        },
      },
    },
  },
};
const freshAccount = {
  'aws sts get-caller-identity': { stdout: { Account: ACCOUNT } },
  'aws iam list-open-id-connect-providers': { stdout: { OpenIDConnectProviderList: [] } },
  [`aws iam get-policy --policy-arn ${POLICY}`]: { stdout: { Policy: { Arn: POLICY } } },
};
const github = {
  'gh api repos/example-org/lattice-ingress/environments': {
    stdout: { environments: [{ name: 'staging' }] },
  },
  'gh variable list --env staging': { stdout: [{ name: 'DEPLOY_ROLE_ARN', value: DEPLOY_ROLE }] },
  'gh variable list': { stdout: [{ name: 'PREVIEW_ROLE_ARN_STAGING', value: PREVIEW_ROLE }] },
};
const otherwise = {
  aws: {
    code: 254,
    stderr:
      'An error occurred (ValidationError) when calling the DescribeStacks operation: Stack does not exist',
  },
  cdk: {},
  gh: {},
};

let scratch: string;
let clone: string;
let bin: string;
let log: string;
let stateFile: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'bootstrap-'));
  bin = join(scratch, 'bin');
  await mkdir(bin);
  // Only node, git and the fakes on PATH: whatever aws, cdk or gh this machine has stays out.
  await symlink(process.execPath, join(bin, 'node'));
  await symlink(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
  await writeFile(join(bin, 'fake'), FAKE);
  await chmod(join(bin, 'fake'), 0o755);
  clone = join(scratch, 'clone');
  await mkdir(clone);
  execFileSync('git', ['init', '-q'], { cwd: clone });
  execFileSync('git', ['remote', 'add', 'origin', 'git@github.com:example-org/lattice-ingress.git'], {
    cwd: clone,
  });
  log = join(scratch, 'calls.log');
  stateFile = join(scratch, 'state.json');
});
afterAll(() => rm(scratch, { recursive: true, force: true }));
beforeEach(() => rm(log, { force: true }));

async function fakes(tools: string[], answers: object, afterDeploy: object = {}) {
  for (const tool of ['aws', 'cdk', 'gh']) await rm(join(bin, tool), { force: true });
  for (const tool of tools) await symlink(join(bin, 'fake'), join(bin, tool));
  await writeFile(stateFile, JSON.stringify({ answers, afterDeploy, otherwise }));
}

function cli(...args: string[]) {
  return cliIn(clone, ...args);
}

function cliIn(cwd: string, ...args: string[]) {
  return cliWith(SAMPLE_CONFIG_DIR, cwd, ...args);
}

function cliWith(configDir: string, cwd: string, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'bin/lattice-ingress.mjs'), ...args, '--config', configDir],
    {
      cwd,
      encoding: 'utf8',
      env: { PATH: bin, HOME: scratch, FAKE_LOG: log, FAKE_STATE: stateFile },
      timeout: 60_000,
    },
  );
  return { code: result.status, output: result.stdout + result.stderr };
}

async function calls(tool?: string): Promise<string[]> {
  const lines = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  return lines
    .map((line) => JSON.parse(line) as { tool: string; args: string[] })
    .filter((call) => call.args[0] !== '--version' && (!tool || call.tool === tool))
    .map((call) => [call.tool, ...call.args].join(' '));
}

describe('lattice-ingress bootstrap', () => {
  it('bootstraps CDK, deploys the Access stack, then sets up GitHub with gh, in that order', async () => {
    await fakes(['aws', 'cdk', 'gh'], freshAccount, deployed);
    const { code, output } = cli('bootstrap', '--env', 'staging', '--profile', 'admin');
    expect(code, output).toBe(0);
    const changes = (await calls()).filter((call) => !call.startsWith('aws '));
    expect(changes).toEqual([
      `cdk bootstrap aws://${ACCOUNT}/eu-west-1 --qualifier hnb659fds --cloudformation-execution-policies ${POLICY} --profile admin`,
      'cdk deploy LatticeIngress-staging-Access --exclusively --profile admin',
      'gh api --method PUT repos/example-org/lattice-ingress/environments/staging -F deployment_branch_policy[protected_branches]=true -F deployment_branch_policy[custom_branch_policies]=false',
      `gh variable set DEPLOY_ROLE_ARN --env staging --body ${DEPLOY_ROLE} --repo example-org/lattice-ingress`,
      `gh variable set PREVIEW_ROLE_ARN_STAGING --body ${PREVIEW_ROLE} --repo example-org/lattice-ingress`,
    ]);
    // Every AWS call used the profile and the environment's Region.
    for (const call of await calls('aws'))
      expect(call).toMatch(/--region eu-west-1 --output json --profile admin$/);
    expect(output).toContain('lattice-ingress doctor --env staging');
  });

  it('prints the exact gh commands when gh is missing', async () => {
    await fakes(['aws', 'cdk'], freshAccount, deployed);
    const { code, output } = cli('bootstrap', '--env', 'staging');
    expect(code, output).toBe(0);
    expect(output).toContain('gh (the GitHub CLI) is not installed');
    expect(output).toContain(
      `  gh variable set DEPLOY_ROLE_ARN --env staging --body ${DEPLOY_ROLE} --repo example-org/lattice-ingress\n`,
    );
    expect(output).toContain(
      "  gh api --method PUT repos/example-org/lattice-ingress/environments/staging -F 'deployment_branch_policy[protected_branches]=true'",
    );
    expect(await calls('cdk')).toHaveLength(2);
  });

  it('changes nothing when the account already has a GitHub OIDC provider, and says which line to add', async () => {
    await fakes(['aws', 'cdk', 'gh'], {
      ...freshAccount,
      'aws iam list-open-id-connect-providers': {
        stdout: { OpenIDConnectProviderList: [{ Arn: PROVIDER }] },
      },
    });
    const { code, output } = cli('bootstrap', '--env', 'staging');
    expect(code, output).toBe(1);
    expect(output).toContain(`add "oidcProviderArn: ${PROVIDER}" under github:`);
    expect(await calls('cdk')).toEqual([]);
    expect(await calls('gh')).toEqual([]);
  });

  it('refuses, before calling anything, when deployment.yaml names another repository than the clone', async () => {
    const other = join(scratch, 'other-clone');
    await mkdir(other, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: other });
    execFileSync('git', ['remote', 'add', 'origin', 'https://github.com/acme/ingress.git'], { cwd: other });
    await fakes(['aws', 'cdk', 'gh'], freshAccount, deployed);
    const { code, output } = cliIn(other, 'bootstrap', '--env', 'staging');
    expect(code, output).toBe(1);
    expect(output).toContain(
      "this clone's origin is acme/ingress: the deploy role would trust example-org/lattice-ingress",
    );
    expect(output).toContain('fix: set github.repository: acme/ingress in deployment.yaml');
    expect(await calls()).toEqual([]);
  });

  it('refuses, before calling anything, when the aws CLI is missing', async () => {
    await fakes(['cdk', 'gh'], freshAccount, deployed);
    const { code, output } = cli('bootstrap', '--environment', 'staging');
    expect(code, output).toBe(1);
    expect(output).toContain('aws is not installed (not on PATH, not in node_modules/.bin)');
    expect(await calls()).toEqual([]);
  });

  it('stops, changing nothing, when a step fails', async () => {
    await fakes(['aws', 'cdk', 'gh'], {
      ...freshAccount,
      [`cdk bootstrap aws://${ACCOUNT}/eu-west-1 --qualifier hnb659fds --cloudformation-execution-policies ${POLICY}`]:
        { code: 1 },
    });
    const { code, output } = cli('bootstrap', '--env', 'staging');
    expect(code, output).toBe(1);
    expect(output).toContain('run bootstrap again');
    expect(await calls('cdk')).toHaveLength(1);
    expect(await calls('gh')).toEqual([]);
  });
});

describe('lattice-ingress doctor', () => {
  it('passes a bootstrapped environment and reads nothing but state', async () => {
    await fakes(['aws', 'cdk', 'gh'], { ...freshAccount, ...deployed, ...github });
    const { code, output } = cli('doctor', '--env', 'staging');
    expect(code, output).toBe(0);
    expect(output).toContain("ok    github.repository example-org/lattice-ingress is this clone's origin");
    expect(output).toContain('Everything checked is in place.');
    expect(await calls('cdk')).toEqual([]);
    expect((await calls('gh')).filter((call) => /variable set|--method/.test(call))).toEqual([]);
  });

  it('fails with the fix for each problem: a missing variable, an unknown GitHub environment', async () => {
    await fakes(['aws', 'cdk', 'gh'], {
      ...freshAccount,
      ...deployed,
      ...github,
      'gh api repos/example-org/lattice-ingress/environments': {
        stdout: { environments: [{ name: 'staging' }, { name: 'qa' }] },
      },
      'gh variable list --env staging': { stdout: [] },
    });
    const { code, output } = cli('doctor', '--env', 'staging');
    expect(code, output).toBe(1);
    expect(output).toContain(
      `FAIL  variable DEPLOY_ROLE_ARN of staging is the Access stack's DeployRoleArn\n        fix: gh variable set DEPLOY_ROLE_ARN --env staging --body ${DEPLOY_ROLE} --repo example-org/lattice-ingress`,
    );
    expect(output).toContain('warn  every GitHub environment is in deployment.yaml');
    expect(output).toContain('1 check(s) failed.');
  });

  it('still checks AWS when gh is signed out, and says why GitHub was not checked', async () => {
    await fakes(['aws', 'cdk', 'gh'], {
      ...freshAccount,
      ...deployed,
      'gh api repos/example-org/lattice-ingress/environments': {
        code: 4,
        stderr: 'To get started with GitHub CLI, please run:  gh auth login',
      },
    });
    const { code, output } = cli('doctor', '--env', 'staging');
    expect(code, output).toBe(0);
    expect(output).toContain('ok    CDK bootstrap in eu-west-1');
    expect(output).toContain('warn  GitHub side\n        fix: gh could not read example-org/lattice-ingress');
    expect(output).toContain('gh auth login');
  });

  it('checks two environments in two accounts in one run, each with its profile', async () => {
    await fakes(['aws', 'cdk', 'gh'], { ...freshAccount, ...deployed, ...github });
    const { code, output } = cli(
      'doctor',
      '--env',
      'staging',
      '--env',
      'production',
      '--profile',
      'a',
      '--profile',
      'b',
    );
    expect(output).toContain('staging (account 111122223333, eu-west-1):');
    expect(output).toMatch(/production \(account \d{12}, [a-z0-9-]+\):/);
    const profiles = (await calls('aws')).map((call) => call.split('--profile ')[1]);
    expect(new Set(profiles)).toEqual(new Set(['a', 'b']));
    expect(code).toBe(1);
  });

  it('sends a fresh account to bootstrap', async () => {
    await fakes(['aws'], freshAccount);
    const { code, output } = cli('doctor', '--env', 'staging', '--profile', 'admin');
    expect(code, output).toBe(1);
    expect(output).toContain(
      'FAIL  CDK bootstrap in eu-west-1\n        fix: lattice-ingress bootstrap --env staging --profile admin',
    );
    expect(output).toContain('warn  GitHub side');
  });
});

describe('lattice-ingress doctor: service-network endpoints', () => {
  const NETWORK = 'sn-0aaaaaaaaaaaaaaaa';
  const ENDPOINT = 'vpce-0123456789abcdef0';
  const INGRESS_STACK = 'aws cloudformation describe-stacks --stack-name LatticeIngress-staging-Ingress';
  const ASSOCIATIONS = `aws ec2 describe-vpc-endpoint-associations --vpc-endpoint-ids ${ENDPOINT}`;
  const ingress = {
    [INGRESS_STACK]: {
      stdout: {
        Stacks: [
          { Outputs: [{ OutputKey: 'ServiceNetworkEndpoint0aaaaaaaaaaaaaaaa', OutputValue: ENDPOINT }] },
        ],
      },
    },
  };
  const associated = (privateDnsName: string) => ({
    [ASSOCIATIONS]: {
      stdout: {
        VpcEndpointAssociations: [
          {
            DnsEntry: { DnsName: `${ENDPOINT}-snsa.vpc-lattice-svcs.eu-west-1.on.aws` },
            PrivateDnsEntry: { DnsName: privateDnsName },
          },
        ],
      },
    },
  });
  let configDir: string;

  // The sample, with billing in a second network that every environment reaches through an endpoint.
  beforeAll(async () => {
    configDir = join(scratch, 'endpoints-config');
    await cp(SAMPLE_CONFIG_DIR, configDir, { recursive: true });
    const deployment = await readFile(join(configDir, 'deployment.yaml'), 'utf8');
    await writeFile(
      join(configDir, 'deployment.yaml'),
      deployment.replace(/^( {4})serviceNetworkId: .*$/gm, `$&\n$1serviceNetworkEndpoints: [${NETWORK}]`),
    );
    const billing = `  - name: billing\n    domain: billing.example.com\n    serviceNetwork: ${NETWORK}\n    ports: [443]\n    auth: iam\n    smoke:\n      path: /\n      expect: 200\n`;
    await writeFile(
      join(configDir, 'services.yaml'),
      `${(await readFile(join(configDir, 'services.yaml'), 'utf8')).trimEnd()}\n${billing}`,
    );
  });

  const doctor = () => cliWith(configDir, clone, 'doctor', '--env', 'staging');

  it("passes when the Ingress stack has the endpoint and billing's name is one of the endpoint's", async () => {
    await fakes(['aws', 'gh'], {
      ...freshAccount,
      ...deployed,
      ...github,
      ...ingress,
      ...associated('billing.example.com'),
    });
    const { code, output } = doctor();
    expect(code, output).toBe(0);
    expect(output).toContain(`ok    service-network endpoint for ${NETWORK}`);
    expect(output).toContain(
      `ok    billing is forwarded to billing.example.com, a name of the endpoint for ${NETWORK}`,
    );
    expect(await calls('aws')).toContain(`${ASSOCIATIONS} --region eu-west-1 --output json`);
  });

  it('fails with the names the endpoint has when billing is not among them', async () => {
    await fakes(['aws', 'gh'], {
      ...freshAccount,
      ...deployed,
      ...github,
      ...ingress,
      ...associated('other.example.com'),
    });
    const { code, output } = doctor();
    expect(code, output).toBe(1);
    expect(output).toContain(
      `FAIL  billing is forwarded to billing.example.com, a name of the endpoint for ${NETWORK}`,
    );
    expect(output).toContain('other.example.com: add staging with billing');
  });

  it('reports an endpoint it may not describe, and still checks the rest', async () => {
    await fakes(['aws', 'gh'], {
      ...freshAccount,
      ...deployed,
      ...github,
      ...ingress,
      [ASSOCIATIONS]: {
        code: 254,
        stderr:
          'An error occurred (UnauthorizedOperation) when calling the DescribeVpcEndpointAssociations operation',
      },
    });
    const { code, output } = doctor();
    expect(code, output).toBe(1);
    expect(output).toContain(`FAIL  the associations of endpoint ${ENDPOINT} (${NETWORK}) could be read`);
    expect(output).toContain('UnauthorizedOperation');
    expect(output).toContain(`ok    service-network endpoint for ${NETWORK}`);
    expect(output).not.toContain('billing is forwarded');
    expect(output).toContain('ok    CDK bootstrap in eu-west-1');
    expect(output).toContain('variable DEPLOY_ROLE_ARN of staging');
  });

  it('asks for a deploy when the Ingress stack does not exist yet, and says so when it cannot be read', async () => {
    await fakes(['aws', 'gh'], { ...freshAccount, ...deployed, ...github });
    const absent = doctor();
    expect(absent.output).toContain(
      `FAIL  service-network endpoint for ${NETWORK}\n        fix: deploy staging`,
    );
    expect(
      (await calls('aws')).filter((call) => call.includes('describe-vpc-endpoint-associations')),
    ).toEqual([]);

    await fakes(['aws', 'gh'], {
      ...freshAccount,
      ...deployed,
      ...github,
      [INGRESS_STACK]: { code: 254, stderr: 'An error occurred (AccessDenied) when calling DescribeStacks' },
    });
    const unreadable = doctor();
    expect(unreadable.code).toBe(1);
    expect(unreadable.output).toContain('FAIL  the Ingress stack of staging could be read');
    expect(unreadable.output).toContain('variable DEPLOY_ROLE_ARN of staging');
  });
});
