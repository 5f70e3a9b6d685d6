// What a smoke test checks and what each check found: every service on every port it is published on, through one
// endpoint, expecting either each service's smoke status or a refusal. src/smoke runs the checks.
import type { Port, Service, Services } from '../config/model.ts';

export interface SmokeCheck {
  service: Service;
  port: Port;
}

/** Where to connect: the NLB DNS name (ports 80/443) or the local proxy's loopback ports. */
export interface SmokeEndpoint {
  host: string;
  httpPort: number;
  tlsPort: number;
}

export type SmokeExpectation = 'allowed' | 'refused';

export interface SmokeResult {
  service: string;
  port: number;
  /** false for a failed check and for one that could not be tested. */
  ok: boolean;
  /** The check could not tell anything (a refusal check whose connection nobody answered); ok is false. */
  untested?: boolean;
  /** HTTP status of the last attempt, when there was a response. */
  status?: number;
  /** The service's smoke.expect status (what 'allowed' waits for). */
  expected: number;
  expectation: SmokeExpectation;
  /** How the last attempt ended: the status, or why there was no response ('closed', 'timeout', ...). */
  outcome: string;
  latencyMs: number;
  attempts: number;
  error?: string;
  /** A command a person can paste to repeat the check. */
  curl: string;
}

/** A check that answered wrongly; one nobody answered is not tested, not failed. */
export const failedCheck = (result: SmokeResult) => !result.ok && !result.untested;

/** Every service on every port it is published on, in configuration order. */
export function planSmokeChecks(services: Services): SmokeCheck[] {
  return services.services.flatMap((service) => service.ports.map((port) => ({ service, port })));
}
