// The revocation network ACL: read its deny entries, add one (both directions), remove one.
import {
  CreateNetworkAclEntryCommand,
  DeleteNetworkAclEntryCommand,
  DescribeNetworkAclsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { type DenyRule, REVOCATION_RULES } from '../access/revocation.ts';
import type { Environment } from '../config/model.ts';
import { stackNames } from '../contract/names.ts';
import { INGRESS_OUTPUTS } from '../contract/outputs.ts';
import type { RevocationAcl } from '../operations/revoke.ts';
import { stackOutputs } from '../rollout/aws-answers.ts';
import type { AwsClients } from './clients.ts';
import { Stacks } from './cloudformation.ts';

const DIRECTIONS = [false, true] as const; // Egress: false = inbound, true = outbound

export class RevocationAclEntries implements RevocationAcl {
  constructor(
    private readonly ec2: EC2Client,
    private readonly aclId: string,
  ) {}

  get id(): string {
    return this.aclId;
  }

  /** The deny entries in the reserved rule numbers (inbound side; the outbound twin carries the same number). */
  async denies(): Promise<DenyRule[]> {
    const { NetworkAcls: acls } = await this.ec2.send(
      new DescribeNetworkAclsCommand({ NetworkAclIds: [this.aclId] }),
    );
    const last = REVOCATION_RULES.first + REVOCATION_RULES.count - 1;
    return (acls?.[0]?.Entries ?? [])
      .filter(
        (e) =>
          e.Egress === false &&
          e.RuleAction === 'deny' &&
          (e.RuleNumber ?? 0) >= REVOCATION_RULES.first &&
          (e.RuleNumber ?? 0) <= last,
      )
      .map((e) => ({ ruleNumber: e.RuleNumber as number, cidr: (e.CidrBlock ?? e.Ipv6CidrBlock) as string }))
      .sort((a, b) => a.ruleNumber - b.ruleNumber);
  }

  /** Drops every packet from and to the range, inbound first so no new connection starts meanwhile. */
  async deny(rule: DenyRule): Promise<void> {
    const range = rule.cidr.includes(':') ? { Ipv6CidrBlock: rule.cidr } : { CidrBlock: rule.cidr };
    for (const egress of DIRECTIONS) {
      await this.ec2.send(
        new CreateNetworkAclEntryCommand({
          NetworkAclId: this.aclId,
          RuleNumber: rule.ruleNumber,
          Egress: egress,
          Protocol: '-1',
          RuleAction: 'deny',
          ...range,
        }),
      );
    }
  }

  async lift(rule: DenyRule): Promise<void> {
    for (const egress of DIRECTIONS) {
      await this.ec2.send(
        new DeleteNetworkAclEntryCommand({
          NetworkAclId: this.aclId,
          RuleNumber: rule.ruleNumber,
          Egress: egress,
        }),
      );
    }
  }
}

/** The revocation ACL named by the environment's Ingress stack output, undefined when the stack has none. */
export function stackRevocationAcl(clients: Pick<AwsClients, 'cloudformation' | 'ec2'>) {
  return async (environment: Environment): Promise<RevocationAcl | undefined> => {
    const stack = await new Stacks(clients.cloudformation).describe(stackNames(environment).ingress);
    const aclId = stack ? stackOutputs(stack)[INGRESS_OUTPUTS.revocationAclId] : undefined;
    return aclId ? new RevocationAclEntries(clients.ec2, aclId) : undefined;
  };
}
