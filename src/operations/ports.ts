// What several operations share: the clock, the progress log, an external program's result and the GitHub
// deployment record. Each operation
// declares its other ports itself.
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
