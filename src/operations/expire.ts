// Allowlist expiry between deployments as a use case: on the clock's day (UTC), which entries have lapsed and which
// lapse soon, whether the last deployment still admits a lapsed one (then the fleet must be redeployed), and which
// entries the allowlist pull request removes.
import { type DatedEntry, expiryStatus, runningFleetAdmitsExpired, utcDay } from '../access/expiry.ts';
import type { AllowlistEntry } from '../config/model.ts';
import type { Clock } from './ports.ts';

export interface ExpireRequest {
  entries: readonly AllowlistEntry[];
  /** Days ahead in which a lapsing entry is announced. */
  warningDays: number;
  /** UTC day an image of these entries was rendered on, when known: whether it still admits a lapsed one. */
  deployedOn?: string;
}

export interface ExpireOutcome {
  state: 'completed';
  /** The day judged by. */
  today: string;
  expired: DatedEntry[];
  expiringSoon: DatedEntry[];
  /** Whether the running fleet still admits a lapsed entry; undefined without deployedOn. */
  redeploy?: boolean;
  /** allowlist.yaml's edit: the lapsed entries' indexes, each replaced by nothing. */
  removal: Map<number, AllowlistEntry[]>;
}

export async function expire(
  request: ExpireRequest,
  ports: { clock: Pick<Clock, 'now'> },
): Promise<ExpireOutcome> {
  const today = utcDay(ports.clock.now());
  const status = expiryStatus(request.entries, today, request.warningDays);
  return {
    state: 'completed',
    today,
    ...status,
    ...(request.deployedOn === undefined
      ? {}
      : { redeploy: runningFleetAdmitsExpired(request.entries, request.deployedOn, today) }),
    removal: new Map(status.expired.map((e) => [e.index, []])),
  };
}
