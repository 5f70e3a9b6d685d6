// The one-time setup of an environment from a workstation, as a use case. This clone and machine are checked first
// (the repository the deploy role will trust, the programs), then the account (credentials, the execution policy,
// the GitHub OIDC provider); only then does anything change: CDK bootstrap with the scoped execution policy and the
// Access stack, then the GitHub environment and its variables, or those gh commands handed back when gh cannot run
// here. Every step can be run again. Never throws for an expected failure. doctor (./doctor.ts) checks what this sets
// up, through the same ports.
import {
  type AwsOptions,
  type AwsState,
  awsSteps,
  bootstrapProblems,
  checkoutProblems,
  githubSteps,
  type Problem,
  type Step,
  shellLine,
} from '../bootstrap-plan/plan.ts';
import { type Diagnostic, formatDiagnostics } from '../config/diagnostics.ts';
import type { Config, Environment } from '../config/model.ts';
import { type ConfigOpening, lookUpEnvironment } from '../config/valid-config.ts';
import type { ProgressLog } from './ports.ts';

/** What bootstrap and doctor both reach: the configuration, this machine's programs and the AWS account. */
export interface SetupPorts {
  open(): Promise<ConfigOpening>;
  /** Whether a program is on PATH or in the project's node_modules/.bin. */
  installed(program: string): boolean;
  /** The account and Region as the aws CLI sees them with these options; throws when it cannot read them. */
  observeAws(env: Environment, options: AwsOptions): AwsState;
  log: ProgressLog;
}

export type StepResult = { ok: true } | { ok: false; why: string };

export interface BootstrapPorts extends SetupPorts {
  /** The clone's origin URL, when it has one. */
  originRemote(): string | undefined;
  /** Whether gh (the GitHub CLI) runs here. */
  ghRuns(): boolean;
  /** Runs a step's command, its output shown as it comes. */
  run(step: Step): StepResult;
}

export interface BootstrapRequest {
  /** The environment's name in deployment.yaml. */
  environment: string;
  profile?: string;
  /** The ARN of CloudFormation's execution policy, when not the account's LatticeIngressCdkExecution. */
  executionPolicy?: string;
}

/** Why bootstrap and doctor do nothing at all: config/ has errors. */
export interface ConfigRefusal {
  state: 'refused';
  cause: 'configuration';
  diagnostics: readonly Diagnostic[];
}

export type BootstrapOutcome =
  | ConfigRefusal
  | { state: 'refused'; cause: 'environment'; reason: string }
  | { state: 'refused'; cause: 'problems'; environment: string; problems: Problem[] }
  | {
      state: 'failed';
      /** The step that failed; absent when reading the account failed. */
      step?: Step;
      reason: string;
      /** The steps that ran before it. */
      done: Step[];
    }
  | {
      state: 'completed';
      environment: Environment;
      done: Step[];
      /** The GitHub steps to run by hand, when gh cannot run here. */
      githubByHand?: Step[];
    };

/** Where bootstrap and doctor start: the configuration, its warnings shown, or the refusal. */
export async function openConfig(ports: SetupPorts): Promise<Config | ConfigRefusal> {
  const opened = await ports.open();
  if (opened.state === 'invalid')
    return { state: 'refused', cause: 'configuration', diagnostics: opened.diagnostics };
  if (opened.warnings.length > 0) ports.log.warning(formatDiagnostics(opened.warnings, 'text'));
  return opened.config;
}

export async function bootstrap(request: BootstrapRequest, ports: BootstrapPorts): Promise<BootstrapOutcome> {
  const config = await openConfig(ports);
  if ('state' in config) return config;
  const found = lookUpEnvironment(config, request.environment);
  if ('unknown' in found) return { state: 'refused', cause: 'environment', reason: found.unknown };
  const env = found.environment;
  const options: AwsOptions = {
    ...(request.profile ? { profile: request.profile } : {}),
    ...(request.executionPolicy ? { executionPolicy: request.executionPolicy } : {}),
  };

  // This clone and machine first: nothing, not even a read, goes to AWS for another repository.
  const missingTools = ['aws', 'cdk'].filter((tool) => !ports.installed(tool));
  const remote = ports.originRemote();
  const local = checkoutProblems(env, { ...(remote ? { remote } : {}), missingTools });
  if (local.length > 0)
    return { state: 'refused', cause: 'problems', environment: env.name, problems: local };
  const done: Step[] = [];
  try {
    return setUp(config, env, options, ports, done);
  } catch (error) {
    return { state: 'failed', reason: error instanceof Error ? error.message : String(error), done };
  }
}

/** The account checked, then the AWS steps, then the GitHub ones; `done` collects what ran. */
function setUp(
  config: Config,
  env: Environment,
  options: AwsOptions,
  ports: BootstrapPorts,
  done: Step[],
): BootstrapOutcome {
  const problems = bootstrapProblems(config, env, ports.observeAws(env, options), options);
  if (problems.length > 0) return { state: 'refused', cause: 'problems', environment: env.name, problems };
  const inAws = runSteps(awsSteps(env, options), ports, done);
  if (inAws) return inAws;
  const steps = githubSteps(env, ports.observeAws(env, options).accessOutputs ?? {});
  if (!ports.ghRuns()) return { state: 'completed', environment: env, done, githubByHand: steps };
  return runSteps(steps, ports, done) ?? { state: 'completed', environment: env, done };
}

/** Runs the steps in order, showing each command; stops at the first that fails, which it returns. */
function runSteps(steps: readonly Step[], ports: BootstrapPorts, done: Step[]): BootstrapOutcome | undefined {
  for (const step of steps) {
    ports.log.info(`\n==> ${step.title}\n$ ${shellLine(step.argv)}`);
    const result = ports.run(step);
    if (!result.ok) return { state: 'failed', step, reason: result.why, done: [...done] };
    done.push(step);
  }
  return undefined;
}
