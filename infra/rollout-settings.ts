// The timings that decide how fast a rollout replaces every proxy task, in one place.
// docs/infrastructure.md derives its merge-to-replaced figure from the synthesized template (infra/rollout-time.ts),
// not from these constants, so the documentation follows whatever is deployed.
import { Duration } from 'aws-cdk-lib';
import { TASK_STOP_TIMEOUT_SECONDS } from '../src/contract/proxy-container.ts';

export const ROLLOUT_SETTINGS = {
  /** NLB -> task HTTP health check on the load balancer health port. 5 s is the shortest interval an NLB allows. */
  healthCheckInterval: Duration.seconds(5),
  healthCheckTimeout: Duration.seconds(4),
  /** Two good answers (10 s) put a new task in service; two failures (10 s) take one out. */
  healthyThreshold: 2,
  unhealthyThreshold: 2,
  /**
   * Draining time for a deregistered task before the NLB closes its remaining connections (connection termination
   * is on). Long enough for in-flight requests, short enough that a rollout takes seconds rather than the reference
   * design's 300 s.
   */
  deregistrationDelay: Duration.seconds(30),
  /** ECS ignores NLB health for this long after a task starts; NGINX is serving within a second or two. */
  healthCheckGracePeriod: Duration.seconds(30),
  /** SIGQUIT (graceful NGINX shutdown) to SIGKILL; derived from NGINX's own shutdown timeout. */
  stopTimeout: Duration.seconds(TASK_STOP_TIMEOUT_SECONDS),
  /** Container health check inside the task (ECS restarts an NGINX that stops answering). */
  containerHealthCheck: {
    interval: Duration.seconds(10),
    timeout: Duration.seconds(3),
    retries: 3,
    startPeriod: Duration.seconds(10),
  },
  /** Replace every task in one batch: 100 % stay in service while up to 200 % run during the switch. */
  minHealthyPercent: 100,
  maxHealthyPercent: 200,
} as const;
