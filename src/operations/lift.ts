// The deployment's half of a revocation: once the deployed allowlist no longer admits a revoked range, the proxy
// refuses it by itself, so its deny leaves the network ACL and frees the rule. A range still (partly) admitted keeps
// its deny. Never throws: an AWS error comes back as a failed outcome.
import { type DenyRule, liftableDenies } from '../access/revocation.ts';
import { noAcl, type Refusal, type RevocationPorts } from './revoke.ts';

export type LiftOutcome =
  | { state: 'completed'; lifted: DenyRule[]; inPlace: number }
  | Refusal
  | { state: 'failed'; reason: string; error?: unknown };

/** Lifts what the allowlist of the checked-out configuration (the one the deployment runs) no longer admits. */
export async function lift(name: string, ports: RevocationPorts): Promise<LiftOutcome> {
  const opened = await ports.open(name);
  if (opened.state === 'refused') return opened;
  const { environment, allowlist } = opened;
  try {
    const acl = await ports.revocationAcl(environment);
    if (!acl) return noAcl(environment);
    const existing = await acl.denies();
    const lifted = liftableDenies(existing, allowlist);
    for (const rule of lifted) await acl.lift(rule);
    return { state: 'completed', lifted, inPlace: existing.length };
  } catch (error) {
    return { state: 'failed', reason: `lifting the revocations of ${environment.name} failed`, error };
  }
}
