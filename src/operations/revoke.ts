// Break-glass revocation as a use case: deny a client range in the network ACL of the environment's load balancer
// subnets (within seconds, established connections included, whatever image runs), say who, why and when, and
// (on request) how allowlist.yaml must change so the next deployment refuses the range without the deny. Everything
// that can be refused without AWS is refused before AWS is contacted. Never throws: an AWS error comes back as a
// failed outcome with the error.

import { utcDay } from '../access/expiry.ts';
import {
  type AllowlistChange,
  allowlistWithoutRange,
  type DenyRule,
  planRevocation,
} from '../access/revocation.ts';
import type { AllowlistEntry, Environment } from '../config/model.ts';
import type { Clock } from './ports.ts';

/** The deny entries of one network ACL (src/aws/network-acl.ts). */
export interface RevocationAcl {
  readonly id: string;
  denies(): Promise<DenyRule[]>;
  deny(rule: DenyRule): Promise<void>;
  lift(rule: DenyRule): Promise<void>;
}

/**
 * The environment of that name with its allowlist as written: an expired entry is kept (expiry is what revocation
 * handles), any other configuration error refuses.
 */
export type RevocationOpening =
  | { state: 'opened'; environment: Environment; allowlist: readonly AllowlistEntry[] }
  | Refusal;

/** Refused before AWS was contacted: why, and what to do about it. */
export interface Refusal {
  state: 'refused';
  reason: string;
  fix: string;
}

export interface RevocationPorts {
  open(name: string): Promise<RevocationOpening>;
  /** The revocation ACL named by the Ingress stack's output; undefined when the stack has none. */
  revocationAcl(environment: Environment): Promise<RevocationAcl | undefined>;
  clock: Pick<Clock, 'now'>;
}

export interface RevokeRequest {
  /** The environment's name in deployment.yaml. */
  environment: string;
  cidr: string;
  /** Who asked and why, recorded with the revocation. */
  who: string;
  why: string;
  /** Say how allowlist.yaml must change too (--write-allowlist). */
  changeAllowlist?: boolean;
}

/** Who, why, when and where: the revocation's record. */
export interface RevocationRecord {
  environment: string;
  cidr: string;
  who: string;
  why: string;
  /** ISO time. */
  when: string;
  aclId: string;
  rule: number;
}

export type RevokeOutcome =
  | {
      state: 'completed';
      /** false when the range was already denied (by this rule, for this or a wider range). */
      changed: boolean;
      /** The range of the rule that denies it. */
      deniedBy: string;
      record: RevocationRecord;
      allowlistChange?: AllowlistChange;
    }
  | Refusal
  | { state: 'failed'; reason: string; error?: unknown };

export async function revoke(request: RevokeRequest, ports: RevocationPorts): Promise<RevokeOutcome> {
  const opened = await ports.open(request.environment);
  if (opened.state === 'refused') return opened;
  const { environment, allowlist } = opened;
  const { cidr } = request;
  const offline = planRevocation({ cidr, vpcCidr: environment.vpcCidr, existing: [] });
  if (offline.kind === 'refused') return { state: 'refused', reason: offline.reason, fix: offline.fix };
  try {
    const acl = await ports.revocationAcl(environment);
    if (!acl) return noAcl(environment);
    const plan = planRevocation({ cidr, vpcCidr: environment.vpcCidr, existing: await acl.denies() });
    if (plan.kind === 'refused') return { state: 'refused', reason: plan.reason, fix: plan.fix };
    const rule = plan.kind === 'create' ? { ruleNumber: plan.ruleNumber, cidr: plan.cidr } : plan.rule;
    if (plan.kind === 'create') await acl.deny(rule);
    const now = ports.clock.now();
    return {
      state: 'completed',
      changed: plan.kind === 'create',
      deniedBy: rule.cidr,
      record: {
        environment: environment.name,
        cidr,
        who: request.who,
        why: request.why,
        when: now.toISOString(),
        aclId: acl.id,
        rule: rule.ruleNumber,
      },
      ...(request.changeAllowlist
        ? { allowlistChange: allowlistWithoutRange(allowlist, cidr, utcDay(now)) }
        : {}),
    };
  } catch (error) {
    return { state: 'failed', reason: `revoking ${cidr} in ${environment.name} failed`, error };
  }
}

export type ListOutcome =
  | { state: 'completed'; denies: DenyRule[] }
  | Refusal
  | { state: 'failed'; reason: string; error?: unknown };

export async function listRevocations(name: string, ports: RevocationPorts): Promise<ListOutcome> {
  const opened = await ports.open(name);
  if (opened.state === 'refused') return opened;
  const { environment } = opened;
  try {
    const acl = await ports.revocationAcl(environment);
    return acl ? { state: 'completed', denies: await acl.denies() } : noAcl(environment);
  } catch (error) {
    return { state: 'failed', reason: `reading the revocations of ${environment.name} failed`, error };
  }
}

export function noAcl(environment: Environment): { state: 'failed'; reason: string } {
  return {
    state: 'failed',
    reason: `the Ingress stack of ${environment.name} has no revocation network ACL output: deploy the current infrastructure first`,
  };
}
