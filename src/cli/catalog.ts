// Every command and flag of lattice-ingress, as data. main.ts parses with it, --help prints it, and the command
// table in README.md is generated from it (npx tsx scripts/cli-table.ts --write-docs).
import { EXPIRY_WARNING_DAYS } from '../config/rules/allowlist/expiry.ts';
import type { CommandDefinition, Flag } from './command.ts';

/** The same options, spelt the same way, in every command that has them. */
export const CONFIG: Flag = {
  name: 'config',
  value: 'DIR',
  default: 'config',
  description: 'configuration directory',
};
export const ENV: Flag = {
  name: 'env',
  aliases: ['environment'],
  value: 'NAME',
  description: 'environment of deployment.yaml',
};
export const PROFILE: Flag = {
  name: 'profile',
  value: 'NAME',
  description: 'AWS profile (default: AWS_PROFILE or the default credential chain)',
};
const JSON_OUTPUT: Flag = { name: 'json', description: 'print JSON instead of text' };
const REASON: Flag = {
  name: 'reason',
  value: 'TEXT',
  text: true,
  description: 'why, in one line (recorded with the change)',
};

export const COMMANDS: readonly CommandDefinition[] = [
  {
    name: 'validate',
    summary: 'check config/ and report every problem with file:line:column',
    flags: [
      CONFIG,
      { name: 'format', value: 'text|json|github', default: 'text', description: 'output format' },
    ],
    load: () => import('./commands/validate.ts'),
  },
  {
    name: 'diff',
    summary: 'describe what the config change since a git ref does (Markdown, for a pull request)',
    details:
      'Compares the config files at the ref with the working tree: allowlist entries added, removed, widened or narrowed (broad ranges flagged), services, scaling and environment changes, and the diff of the rendered NGINX configuration per environment. Exits 1 when the working-tree config has errors.',
    flags: [
      { name: 'base', value: 'REF', description: 'git ref to compare with (required), e.g. origin/main' },
      CONFIG,
      { name: 'output', value: 'FILE', description: 'write the Markdown to FILE instead of printing it' },
    ],
    load: () => import('./commands/diff.ts'),
  },
  {
    name: 'schemas',
    summary: 'generate the editor JSON Schemas of the config files (--write), or check they are current',
    flags: [
      { name: 'write', description: 'write the schemas (without it: exit 1 when they are out of date)' },
      { name: 'out', value: 'DIR', default: 'config/schemas', description: 'where the schemas are' },
    ],
    load: () => import('./commands/schemas.ts'),
  },
  {
    name: 'render',
    summary: "write an environment's NGINX configuration (the files the proxy image ships)",
    details:
      "--flavour debian renders the same config for Debian's nginx 1.22 (stream loaded as a module, no `resolve` on upstream servers), which is what the tests run.",
    flags: [
      { ...ENV, description: 'environment to render (required)' },
      CONFIG,
      { name: 'out', value: 'DIR', description: 'write the files into DIR (default: print them)' },
      {
        name: 'flavour',
        value: 'image|debian',
        default: 'image',
        description: 'which nginx build to render for',
      },
    ],
    load: () => import('./commands/render.ts'),
  },
  {
    name: 'environments',
    summary: 'list the environments of config/deployment.yaml (--json: the deploy matrix)',
    flags: [
      CONFIG,
      { name: 'json', description: 'one line of JSON (an array), for a GitHub Actions matrix' },
      {
        name: 'with-smoke-runner',
        description: 'only the environments with a self-hosted smoke runner (smokeRunner)',
      },
      { name: 'only', value: 'NAME', description: 'only this environment' },
    ],
    load: () => import('./commands/environments.ts'),
  },
  {
    name: 'allowlist',
    summary: 'import a spreadsheet export (CSV) into allowlist.yaml, or put allowlist.yaml in canonical form',
    positionals: 'import FILE.csv | fmt',
    details:
      'import reads columns cidr, description, expires and services (a header row names them; BOM, CRLF, no-break spaces, smart quotes and dashes are handled), canonicalises every range, reports every problem of every row in one pass, and adds the rows to allowlist.yaml keeping its comments. fmt rewrites the ranges of allowlist.yaml in canonical form. Nothing is written while a problem remains.',
    flags: [
      CONFIG,
      { name: 'replace', description: 'import: replace the entries instead of adding to them' },
      { name: 'check', description: 'fmt: change nothing, exit 1 when a range is not canonical' },
    ],
    load: () => import('./commands/allowlist.ts'),
  },
  {
    name: 'expiry',
    summary: 'list allowlist entries that expired or expire soon; --write removes the expired ones',
    flags: [
      CONFIG,
      { ...JSON_OUTPUT, description: 'one JSON object: today, expired, expiringSoon, redeploy' },
      {
        name: 'write',
        description: 'remove the expired entries from allowlist.yaml (comments and order kept)',
      },
      {
        name: 'deployed-on',
        value: 'YYYY-MM-DD',
        description:
          'UTC day an image of this configuration was rendered: says whether that image still admits an expired entry',
      },
      { name: 'today', value: 'YYYY-MM-DD', description: 'the day to judge by (default: today, UTC)' },
    ],
    details: `Lists the entries that have expired and those expiring within ${EXPIRY_WARNING_DAYS} days.`,
    load: () => import('./commands/expiry.ts'),
  },
  {
    name: 'revoke',
    summary:
      'break-glass: deny a client range at the load balancers now (--lift: remove denies no longer needed)',
    details:
      "Denies CIDR in the network ACL of the environment's load balancer subnets: new and established connections from and to the range stop within seconds, whatever image the fleet runs. Who, why and when go to the local log ~/.lattice-ingress/revocations.log (and the run summary on GitHub).",
    flags: [
      { ...ENV, description: 'environment of deployment.yaml (required)' },
      { name: 'cidr', value: 'CIDR', description: 'the client range to deny, e.g. 203.0.113.16/28' },
      REASON,
      {
        name: 'write-allowlist',
        description:
          'also remove or narrow the range in allowlist.yaml, for the pull request that makes it permanent',
      },
      {
        name: 'pull-request-body',
        value: 'FILE',
        description: "with --write-allowlist: write the description of the allowlist's pull request to FILE",
      },
      { name: 'lift', description: 'remove the denies whose range the allowlist no longer admits' },
      { name: 'list', description: 'print the denies in place' },
      PROFILE,
      CONFIG,
    ],
    load: () => import('./commands/revoke.ts'),
  },
  {
    name: 'start',
    summary: 'run the proxy locally behind haproxy, in front of stand-in services, and smoke-test it',
    details:
      'Validates the configuration, renders it for a local target and starts on loopback: a DNS server for the Lattice names, one stand-in per service, the proxy (nginx) and haproxy in front of it as the load balancer. Then runs the smoke checks through it and stays up until Ctrl-C.',
    flags: [
      CONFIG,
      { name: 'once', description: 'exit after the checks: 0 when all pass, 1 otherwise' },
      {
        name: 'http-port',
        value: 'N',
        description: "port of the load balancer's HTTP listener (default: a free port)",
      },
      {
        name: 'tls-port',
        value: 'N',
        description: "port of the load balancer's TLS listener (default: a free port)",
      },
    ],
    load: () => import('./commands/start.ts'),
  },
  {
    name: 'call',
    summary: 'send one SigV4-signed request to a service through an endpoint, and print the curl equivalent',
    positionals: '<service>',
    details:
      "Sends one request to a service of services.yaml as a client outside the VPC would: TLS SNI, certificate check and Host are the service's domain, the connection goes to --endpoint. Requests to auth: iam services are signed with SigV4 (vpc-lattice-svcs). Exit status: 0 for a 2xx/3xx answer, 1 otherwise.",
    flags: [
      {
        name: 'endpoint',
        value: 'HOST[:PORT]',
        description: 'where to connect (default: resolve the domain)',
      },
      {
        name: 'port',
        value: '443|80',
        description: 'listener to use (default: 443 when the service has it)',
      },
      { name: 'path', value: 'PATH', description: "path and query (default: the service's smoke.path)" },
      { name: 'method', value: 'METHOD', description: 'HTTP method (default: GET, or POST with --data)' },
      { name: 'data', value: 'TEXT', description: 'request body' },
      {
        name: 'region',
        value: 'REGION',
        description: 'signing region (default: from the Lattice name, --env, AWS_REGION)',
      },
      { ...ENV, description: 'environment whose region to sign for' },
      { name: 'sigv4a', description: 'sign with SigV4A for a region set instead of SigV4' },
      {
        name: 'region-set',
        value: 'SET',
        description: 'with --sigv4a: * (default) or Regions separated by commas',
      },
      PROFILE,
      { name: 'cacert', value: 'FILE', description: 'trust this CA bundle instead of the system store' },
      { name: 'timeout', value: 'SECONDS', description: 'give up after this long (default: 10)' },
      CONFIG,
    ],
    load: () => import('./commands/call.ts'),
  },
  {
    name: 'bootstrap',
    summary:
      'set up an environment once: CDK bootstrap, its Access stack, its GitHub environment and variables',
    details:
      "With administrator credentials for the environment's account: 1. cdk bootstrap of its account and Region, CloudFormation limited to the execution policy; 2. cdk deploy of its Access stack (GitHub OIDC provider, deploy and preview roles); 3. with gh: its GitHub environment and the variables DEPLOY_ROLE_ARN and PREVIEW_ROLE_ARN_<ENV>; without gh, the commands to run. Nothing runs when a check fails (a repository other than this clone's, credentials for another account, a missing policy or tool); each problem is printed with its fix.",
    flags: [
      { ...ENV, description: 'environment to set up (required)' },
      PROFILE,
      {
        name: 'execution-policy',
        value: 'ARN',
        description: "CloudFormation's execution policy (default: the account's LatticeIngressCdkExecution)",
      },
      CONFIG,
    ],
    load: () => import('./commands/bootstrap.ts'),
  },
  {
    name: 'doctor',
    summary:
      'check what the first deployment needs in AWS, GitHub and this clone, with the fix for each problem',
    details:
      "Checks, for every environment (or those named): credentials for its account, the GitHub OIDC provider, CDK bootstrap, the Access stack and its deploy role's trust, the GitHub environment and its variables, the smoke runner's version; and that github.repository is this clone's origin. Each section is checked on its own: one that cannot be checked does not hide the others. Exits 1 when a check fails (warnings do not).",
    flags: [
      { ...ENV, multiple: true, description: 'environment to check; repeat for several (default: all)' },
      { ...PROFILE, multiple: true, description: 'AWS profile; one, or one per --env in the same order' },
      CONFIG,
    ],
    load: () => import('./commands/doctor.ts'),
  },
  {
    name: 'rollback',
    summary: 'roll an environment back from a workstation, exactly as the rollback action does',
    details:
      "Resolves the target to an image in ECR that was deployed before, updates the Ingress stack's ImageTag, follows ECS to COMPLETED and verifies the running digest. The GitHub token is GITHUB_TOKEN, else `gh auth token`; without one, give --target SHA|TAG.",
    flags: [
      { ...ENV, description: 'environment of deployment.yaml (required)' },
      { name: 'target', value: 'previous|SHA|TAG', default: 'previous', description: 'what to roll back to' },
      REASON,
      {
        name: 'allow-wider-access',
        description:
          'go ahead when the target admits a range or serves a service that what runs now does not',
      },
      PROFILE,
      { name: 'timeout-minutes', value: 'N', default: '20', description: 'give up after N minutes' },
      {
        name: 'poll-interval-seconds',
        value: 'N',
        default: '10',
        description: 'first interval between status polls',
      },
      CONFIG,
    ],
    load: () => import('./commands/rollback.ts'),
  },
];

/** Words people type for a command that has another name here. */
export const SYNONYMS: Readonly<Record<string, string>> = {
  plan: 'diff',
  check: 'validate',
  lint: 'validate',
  run: 'start',
  up: 'start',
  serve: 'start',
  deny: 'revoke',
  block: 'revoke',
  revert: 'rollback',
  undo: 'rollback',
  init: 'bootstrap',
  setup: 'bootstrap',
  build: 'render',
  curl: 'call',
  request: 'call',
  envs: 'environments',
  expire: 'expiry',
  expired: 'expiry',
  import: 'allowlist import',
  fmt: 'allowlist fmt',
};
