// The deployment's half of a revocation: once the deployed allowlist no longer admits a revoked range, the proxy
// refuses it by itself, so its deny leaves the network ACL and frees the rule. A range still (partly) admitted keeps
// its deny. Never throws: an AWS error comes back as a failed outcome.
import { type DenyRule, liftableDenies } from '../access/revocation.ts';
import type { AllowlistEntry, Environment } from '../config/model.ts';
import { noAcl, type RevocationPorts } from './revoke.ts';

export interface LiftRequest {
  environment: Environment;
  /** The allowlist the deployment runs. */
  allowlist: readonly AllowlistEntry[];
}

export type LiftOutcome =
  | { state: 'completed'; lifted: DenyRule[]; inPlace: number }
  | { state: 'failed'; reason: string; error?: unknown };

export async function lift(request: LiftRequest, ports: RevocationPorts): Promise<LiftOutcome> {
  const { environment } = request;
  try {
    const acl = await ports.revocationAcl(environment);
    if (!acl) return noAcl(environment);
    const existing = await acl.denies();
    const lifted = liftableDenies(existing, request.allowlist);
    for (const rule of lifted) await acl.lift(rule);
    return { state: 'completed', lifted, inPlace: existing.length };
  } catch (error) {
    return { state: 'failed', reason: `lifting the revocations of ${environment.name} failed`, error };
  }
}
