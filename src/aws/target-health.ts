// ELBv2 DescribeTargetHealth: the state of every target of a target group.
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TargetGroupHealth } from '../smoke-plan/target-gate.ts';

export class TargetHealth {
  constructor(private readonly elbv2: ElasticLoadBalancingV2Client) {}

  async describe(targetGroupArn: string): Promise<TargetGroupHealth> {
    const { TargetHealthDescriptions: targets } = await this.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    return { targetGroupArn, states: (targets ?? []).map((target) => target.TargetHealth?.State ?? '') };
  }
}
