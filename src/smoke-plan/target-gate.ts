// The gate a refusal smoke check falls back on when its connections went unanswered: an unanswered connection is
// what a security group dropping the runner gives, but also what a load balancer with no task behind it gives, so
// the fleet must show it is up another way — every target group of the stack has at least one healthy target.

/** The targets of one target group, as read by src/aws/target-health.ts. */
export interface TargetGroupHealth {
  targetGroupArn: string;
  /** TargetHealth.State of each registered target: healthy, unhealthy, initial, draining, unused, unavailable. */
  states: string[];
}

export interface TargetGateVerdict {
  ok: boolean;
  /** One line per target group: "<name>: 1 of 2 healthy (healthy, unhealthy)". */
  lines: string[];
  /** Why the gate failed. */
  problem?: string;
}

/** "arn:aws:elasticloadbalancing:...:targetgroup/Ingre-Proxy-ABC/0123" -> "Ingre-Proxy-ABC". */
function targetGroupName(arn: string): string {
  return /:targetgroup\/([^/]+)/.exec(arn)?.[1] ?? arn;
}

export function judgeTargetHealth(groups: readonly TargetGroupHealth[]): TargetGateVerdict {
  const lines = groups.map((group) => {
    const healthy = group.states.filter((state) => state === 'healthy').length;
    const states = group.states.length > 0 ? ` (${group.states.join(', ')})` : '';
    return `${targetGroupName(group.targetGroupArn)}: ${healthy} of ${group.states.length} healthy${states}`;
  });
  if (groups.length === 0) {
    return { ok: false, lines, problem: 'the Ingress stack has no target groups' };
  }
  const down = groups.filter((group) => !group.states.includes('healthy'));
  if (down.length > 0) {
    return {
      ok: false,
      lines,
      problem: `no healthy target in ${down.map((group) => targetGroupName(group.targetGroupArn)).join(', ')}`,
    };
  }
  return { ok: true, lines };
}
