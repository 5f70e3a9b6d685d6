// Runs a bundled action the way the GitHub runner does: `node <action>/dist/index.js` (or the action.yml `main`)
// in a fresh process with INPUT_* variables (action.yml defaults filled in), GITHUB_OUTPUT / GITHUB_STEP_SUMMARY /
// GITHUB_ENV / GITHUB_STATE files, an event payload at GITHUB_EVENT_PATH, the usual GITHUB_* context, and AWS
// credentials that are fake but well-formed so the SDK signs requests for the local stub at AWS_ENDPOINT_URL.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { OPERATOR_CONFIG_DIR } from './sample-config.ts';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The values a workflow run would have; override any with RunActionOptions.env. */
export const RUNNER_DEFAULTS = {
  GITHUB_REPOSITORY: 'example-org/lattice-ingress',
  GITHUB_REPOSITORY_OWNER: 'example-org',
  GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
  GITHUB_REF: 'refs/heads/main',
  GITHUB_REF_NAME: 'main',
  GITHUB_ACTOR: 'octocat',
  GITHUB_WORKFLOW: 'deploy',
  GITHUB_JOB: 'deploy',
  GITHUB_RUN_ID: '4242',
  GITHUB_RUN_NUMBER: '7',
  GITHUB_RUN_ATTEMPT: '1',
  GITHUB_SERVER_URL: 'https://github.com',
  GITHUB_API_URL: 'https://api.github.com',
  GITHUB_GRAPHQL_URL: 'https://api.github.com/graphql',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  AWS_SESSION_TOKEN: 'example-session-token',
} as const;

const CONFIG_DIR_INPUT = 'config-dir';
/** In the repository root, the default `config` would be the user's configuration, not one the tests own. */
const REPOSITORY_DEFAULTS = { [CONFIG_DIR_INPUT]: OPERATOR_CONFIG_DIR };

/** Stand-ins for the expressions action.yml defaults may use. */
const DEFAULT_EXPRESSIONS: Record<string, string> = {
  '${{ github.token }}': 'ghs_exampletoken',
};

export interface RunActionOptions {
  /** Inputs by their action.yml name; undefined leaves the input unset (so its default applies). */
  inputs?: Record<string, string | number | boolean | undefined>;
  /** The triggering event; defaults to a push with an empty payload. */
  event?: { name: string; payload?: unknown };
  /** AWS_ENDPOINT_URL, e.g. the url of startAwsStub(). */
  awsEndpoint?: string;
  /** GITHUB_API_URL, e.g. a local stub of the REST API. */
  githubApiUrl?: string;
  /**
   * Working directory and GITHUB_WORKSPACE; defaults to the repository root, where an action's `config-dir` input, when
   * not given, names the operator fixture instead of the repository's own config/ (see sample-config.ts).
   */
  cwd?: string;
  /** Directories put first on PATH (for fake executables such as docker or cdk). */
  pathPrepend?: string[];
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** Kill the action after this long; defaults to 60 s. */
  timeoutMs?: number;
  /** The action's directory; defaults to actions/<name>. */
  actionDir?: string;
  /** RUNNER_TEMP, kept after the run (for files an action writes there); defaults to a removed temp dir. */
  runnerTemp?: string;
  /** The Node binary that runs the bundle; defaults to ACTION_TEST_NODE, else the Node running the tests. */
  node?: string;
}

export interface Annotation {
  command: 'error' | 'warning' | 'notice';
  properties: Record<string, string>;
  message: string;
}

export interface ActionRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** From GITHUB_OUTPUT. */
  outputs: Record<string, string>;
  /** GITHUB_STEP_SUMMARY as written (Markdown/HTML). */
  summary: string;
  /** Exported variables from GITHUB_ENV. */
  exportedEnv: Record<string, string>;
  /** ::error/::warning/::notice workflow commands printed to stdout. */
  annotations: Annotation[];
}

export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export async function runAction(name: string, options: RunActionOptions = {}): Promise<ActionRun> {
  const actionDir = options.actionDir ?? join(REPO_ROOT, 'actions', name);
  const metadata = parse(await readFile(join(actionDir, 'action.yml'), 'utf8')) as ActionMetadata;
  if (metadata.runs?.using !== 'node24') throw new Error(`${name}: action.yml runs.using must be node24`);
  const entry = join(actionDir, metadata.runs.main);

  const temp = await mkdtemp(join(tmpdir(), `action-${name}-`));
  const files = {
    output: join(temp, 'output'),
    summary: join(temp, 'summary'),
    env: join(temp, 'env'),
    state: join(temp, 'state'),
    path: join(temp, 'path'),
    event: join(temp, 'event.json'),
  };
  try {
    if (options.runnerTemp) await mkdir(options.runnerTemp, { recursive: true });
    await Promise.all([
      ...[files.output, files.summary, files.env, files.state, files.path].map((f) => writeFile(f, '')),
      writeFile(files.event, JSON.stringify(options.event?.payload ?? {})),
    ]);
    const env: Record<string, string> = {
      // Only what a runner would have: nothing from the developer's shell (AWS profiles, tokens) leaks in.
      PATH: [...(options.pathPrepend ?? []), process.env.PATH ?? ''].join(delimiter),
      HOME: process.env.HOME ?? temp,
      LANG: 'C.UTF-8',
      CI: 'true',
      GITHUB_ACTIONS: 'true',
      RUNNER_OS: 'Linux',
      RUNNER_ARCH: 'X64',
      RUNNER_TEMP: options.runnerTemp ?? temp,
      GITHUB_WORKSPACE: options.cwd ?? REPO_ROOT,
      GITHUB_EVENT_NAME: options.event?.name ?? 'push',
      GITHUB_EVENT_PATH: files.event,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_PATH: files.path,
      GITHUB_ACTION: `__${name}`,
      AWS_EC2_METADATA_DISABLED: 'true',
      NO_PROXY: '127.0.0.1,localhost',
      ...RUNNER_DEFAULTS,
      ...(options.awsEndpoint ? { AWS_ENDPOINT_URL: options.awsEndpoint } : {}),
      ...(options.githubApiUrl ? { GITHUB_API_URL: options.githubApiUrl } : {}),
      ...inputEnvironment(name, metadata, givenInputs(metadata, options)),
      ...options.env,
    };
    const { exitCode, stdout, stderr } = await spawnNode(
      options.node ?? process.env.ACTION_TEST_NODE ?? process.execPath,
      entry,
      env,
      options.cwd ?? REPO_ROOT,
      options.timeoutMs,
    );
    const [output, summary, exported] = await Promise.all([
      readFile(files.output, 'utf8'),
      readFile(files.summary, 'utf8'),
      readFile(files.env, 'utf8'),
    ]);
    return {
      exitCode,
      stdout,
      stderr,
      outputs: parseFileCommands(output),
      summary,
      exportedEnv: parseFileCommands(exported),
      annotations: parseAnnotations(stdout),
    };
  } finally {
    await rm(temp, { recursive: true, force: true });
  }
}

interface ActionMetadata {
  runs?: { using?: string; main: string };
  inputs?: Record<string, { default?: string | number | boolean; required?: boolean }>;
}

/** The test's inputs; in the repository root, the operator fixture as `config-dir` when the test names none. */
function givenInputs(
  metadata: ActionMetadata,
  options: RunActionOptions,
): NonNullable<RunActionOptions['inputs']> {
  const inputs = options.inputs ?? {};
  const fallsBackToConfig =
    options.cwd === undefined &&
    metadata.inputs?.[CONFIG_DIR_INPUT] &&
    inputs[CONFIG_DIR_INPUT] === undefined;
  return fallsBackToConfig ? { ...inputs, ...REPOSITORY_DEFAULTS } : inputs;
}

/** INPUT_* for the given inputs plus action.yml defaults, as the runner computes them. */
function inputEnvironment(
  name: string,
  metadata: ActionMetadata,
  inputs: Record<string, string | number | boolean | undefined>,
): Record<string, string> {
  const declared = metadata.inputs ?? {};
  const env: Record<string, string> = {};
  for (const key of Object.keys(inputs)) {
    if (!(key in declared)) throw new Error(`${name}: action.yml declares no input "${key}"`);
  }
  for (const [key, spec] of Object.entries(declared)) {
    const given = inputs[key];
    let value = given === undefined ? spec.default : given;
    if (value === undefined) continue;
    value = String(value);
    if (value.includes('${{')) {
      const known = DEFAULT_EXPRESSIONS[value.trim()];
      if (known === undefined) throw new Error(`${name}: cannot evaluate default of "${key}": ${value}`);
      value = known;
    }
    env[inputVariable(key)] = value;
  }
  return env;
}

function spawnNode(
  node: string,
  entry: string,
  env: Record<string, string>,
  cwd: string,
  timeoutMs = 60_000,
): Promise<{ exitCode: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(node, [entry], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `action ${entry} did not finish within ${timeoutMs} ms\n--- stdout\n${stdout}\n--- stderr\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      process.off('exit', killOnExit);
      resolvePromise({ exitCode, stdout, stderr });
    });
  });
}

/** GITHUB_OUTPUT / GITHUB_ENV syntax: `name=value` lines or `name<<DELIMITER` heredocs. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, key = '', delimiterLine] = heredoc;
      const end = lines.indexOf(delimiterLine ?? '', i + 1);
      if (end < 0) throw new Error(`unterminated value for ${key} in file command`);
      result[key] = lines.slice(i + 1, end).join('\n');
      i = end;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq < 0) throw new Error(`malformed file command line: ${line}`);
    result[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return result;
}

/** `::error file=a,line=1::message` lines, with the runner's escaping undone. */
export function parseAnnotations(stdout: string): Annotation[] {
  const unescapeCommand = (s: string) =>
    s
      .replace(/%0A/g, '\n')
      .replace(/%0D/g, '\r')
      .replace(/%3A/g, ':')
      .replace(/%2C/g, ',')
      .replace(/%25/g, '%');
  const annotations: Annotation[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!match) continue;
    const properties: Record<string, string> = {};
    for (const pair of (match[2] ?? '').split(',').filter(Boolean)) {
      const eq = pair.indexOf('=');
      properties[pair.slice(0, eq)] = unescapeCommand(pair.slice(eq + 1));
    }
    annotations.push({
      command: match[1] as Annotation['command'],
      properties,
      message: unescapeCommand(match[3] ?? ''),
    });
  }
  return annotations;
}
