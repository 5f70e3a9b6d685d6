// What several operations share: the clock, the progress log, an external program's result and the GitHub
// deployment record. Each operation
// declares its other ports itself.
import type { Config, Environment } from '../config/model.ts';
import type { DeploymentRecord } from '../rollout/rollback-target.ts';

/** "Now" and waiting, injected so tests decide what time it is. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * An environment opened for a deploy: its checked configuration (entries expired today left out) and adapters for
 * its account, or why it cannot be (invalid configuration, unknown name, credentials for another account).
 */
export type Opening<Adapters> =
  | {
      state: 'opened';
      config: Config;
      environment: Environment;
      /** The GitHub environment its deployments are recorded in. */
      githubEnvironment: string;
      adapters: Adapters;
    }
  | { state: 'refused'; reason: string };

/** Opens the environment of that name (src/actions/adapters.ts reads config/ and checks the credentials). */
export type EnvironmentOpener<Adapters> = (name: string) => Promise<Opening<Adapters>>;

/** Where progress goes while an operation runs (the step log, a terminal). */
export interface ProgressLog {
  info(message: string): void;
  warning(message: string): void;
}

/** What an external program (cdk, docker) left: src/process/command.ts runs it. */
export interface CommandResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** true when the program was stopped because it outran `timeoutMs`. */
  timedOut?: boolean;
}

export type DeploymentState =
  | 'in_progress'
  | 'success'
  | 'failure'
  | 'error'
  | 'inactive'
  | 'queued'
  | 'pending';

export interface DeploymentPayload {
  imageTag: string;
  digest?: string;
  /**
   * The newest render the image's tags record (git-rendered-<day>-<sha>): the configuration of commit renderedFrom,
   * rendered on UTC day renderedOn (entries expired by then left out), is what it admits. Absent for an image without
   * one; the daily expiry run then redeploys.
   */
  renderedFrom?: string;
  renderedOn?: string;
}

export interface StatusDetails {
  description?: string;
  logUrl?: string;
  environmentUrl?: string;
}

/** The environment's GitHub deployments: the record of what was rolled out where (src/github/deployments.ts). */
export interface DeploymentLog {
  create(input: {
    environment: string;
    sha: string;
    payload: DeploymentPayload;
    description: string;
  }): Promise<number>;
  setStatus(id: number, state: DeploymentState, details: StatusDetails): Promise<void>;
  /** The environment's deployments with an imageTag payload, newest first. */
  history(environment: string, limit?: number): Promise<DeploymentRecord[]>;
}
