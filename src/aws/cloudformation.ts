// CloudFormation stacks: read status, parameters and outputs; point the Ingress stack at a new image tag.
import {
  CancelUpdateStackCommand,
  type Capability,
  type CloudFormationClient,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  type Parameter,
  type Stack,
  type StackEvent,
  UpdateStackCommand,
} from '@aws-sdk/client-cloudformation';
import { errorName } from '../rollout/aws-answers.ts';

/**
 * The acknowledgements `cdk deploy` gives. UpdateStack needs them again even though the template is unchanged;
 * DescribeStacks does not always list them, so they are always given.
 */
const CDK_CAPABILITIES: Capability[] = ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM', 'CAPABILITY_AUTO_EXPAND'];

export class Stacks {
  constructor(private readonly cfn: CloudFormationClient) {}

  /** The stack, or undefined when it does not exist. */
  async describe(name: string): Promise<Stack | undefined> {
    try {
      const { Stacks: stacks } = await this.cfn.send(new DescribeStacksCommand({ StackName: name }));
      return stacks?.[0];
    } catch (error) {
      if (errorName(error) === 'ValidationError' && /does not exist/.test((error as Error).message))
        return undefined;
      throw error;
    }
  }

  /**
   * UpdateStack with the deployed template, `parameter` set to `value` and every other parameter kept, with the
   * capabilities CDK acknowledges, the stack's notification topics and its service role. Returns false when CloudFormation reports nothing to change.
   */
  async updateParameter(stack: Stack, parameter: string, value: string): Promise<boolean> {
    const parameters: Parameter[] = (stack.Parameters ?? []).map((p) =>
      p.ParameterKey === parameter
        ? { ParameterKey: parameter, ParameterValue: value }
        : { ParameterKey: p.ParameterKey, UsePreviousValue: true },
    );
    if (!parameters.some((p) => p.ParameterKey === parameter)) {
      throw new Error(
        `stack ${stack.StackName} has no ${parameter} parameter; deploy the current infrastructure first`,
      );
    }
    try {
      await this.cfn.send(
        new UpdateStackCommand({
          StackName: stack.StackName,
          UsePreviousTemplate: true,
          Parameters: parameters,
          Capabilities: [...new Set([...CDK_CAPABILITIES, ...(stack.Capabilities ?? [])])],
          ...(stack.NotificationARNs?.length ? { NotificationARNs: stack.NotificationARNs } : {}),
          ...(stack.RoleARN ? { RoleARN: stack.RoleARN } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (
        errorName(error) === 'ValidationError' &&
        /No updates are to be performed/.test((error as Error).message)
      ) {
        return false;
      }
      throw error;
    }
  }

  /** Stack events newer than `since`, oldest first (reads back at most `maxPages` pages). */
  async eventsSince(name: string, since: Date, maxPages = 5): Promise<StackEvent[]> {
    const events: StackEvent[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const result = await this.cfn.send(
        new DescribeStackEventsCommand({ StackName: name, ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      const batch = result.StackEvents ?? [];
      const recent = batch.filter((e) => (e.Timestamp?.getTime() ?? 0) >= since.getTime());
      events.push(...recent);
      nextToken = result.NextToken;
      if (!nextToken || recent.length < batch.length) break;
    }
    return events.reverse();
  }

  /** Physical IDs of the stack's resources of one CloudFormation type (for a target group: its ARN). */
  async resourcesOfType(name: string, type: string): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.cfn.send(
        new ListStackResourcesCommand({ StackName: name, ...(nextToken ? { NextToken: nextToken } : {}) }),
      );
      for (const resource of page.StackResourceSummaries ?? []) {
        if (resource.ResourceType === type && resource.PhysicalResourceId)
          ids.push(resource.PhysicalResourceId);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return ids;
  }

  async cancelUpdate(name: string): Promise<void> {
    await this.cfn.send(new CancelUpdateStackCommand({ StackName: name }));
  }
}
