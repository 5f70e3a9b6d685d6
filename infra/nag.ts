// cdk-nag (AwsSolutions pack) wiring. cdk-nag 3 runs as a CDK policy-validation plugin and takes acknowledgements
// through Validations.of(scope).acknowledge: one exact finding id per acknowledgement, each with its reason.
import { type App, type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

export const WILDCARD_RULE = 'AwsSolutions-IAM5';

/** Runs the AwsSolutions pack when the app synthesizes: any unacknowledged finding fails `cdk synth`. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
}

/** Acknowledges findings on `scope` and everything below it, for one stated reason. */
export function acknowledge(scope: IConstruct, reason: string, ...ids: string[]): void {
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason })));
}

/** The id of an IAM5 finding for a resource, e.g. `Resource::*` or `Resource::arn:aws:...:stack/Name/*`. */
export function wildcardFinding(resource: string): string {
  return `${WILDCARD_RULE}[Resource::${resource}]`;
}

/** The id of an IAM5 finding for everything below a resource's ARN (`<LogicalId.Arn>:*`, e.g. log streams). */
export function belowArnFinding(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnElement;
  return wildcardFinding(`<${Stack.of(resource).getLogicalId(resource)}.Arn>:*`);
}
