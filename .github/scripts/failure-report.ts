// The last line of a failed deploy or verify job: what failed and what the fleet runs now. On call, this is the line
// to read first, so it must never claim that nothing was rolled out when the infrastructure update itself replaced
// tasks (an ECS circuit breaker tripped during `cdk deploy` is rolled back by CloudFormation, not by this workflow).
//
// Usage (deploy-environment.yml): STAGE (deploy|verify), ENVIRONMENT, FAILED_TAG, ROLLBACK_OUTCOME, ROLLED_BACK_TO,
//   INFRA_ROLLED_OUT in the environment; node .github/scripts/failure-report.ts
import { appendFileSync } from 'node:fs';
import { isEntryPoint } from './entry.ts';

export interface JobFailure {
  stage: 'deploy' | 'verify';
  environment: string;
  /** The image tag that was being deployed, when the build got that far. */
  failedTag?: string;
  /** steps.rollback.outcome: success, failure, or '' when the automatic rollback did not run. */
  rollbackOutcome: string;
  rolledBackTo?: string;
  /** deploy-infra's rolled-out output: `cdk deploy` started an ECS deployment of the service. */
  infraRolledOut?: boolean;
}

export function failureMessage(f: JobFailure): string {
  const what =
    f.stage === 'deploy'
      ? `Deployment of ${f.failedTag || 'this commit'} to ${f.environment} failed`
      : `Verification of ${f.environment} from its smoke runner failed`;
  return `${what}; ${outcome(f)}.`;
}

function outcome(f: JobFailure): string {
  if (f.rollbackOutcome === 'success') return `rolled back to ${f.rolledBackTo || 'the previous version'}`;
  if (f.rollbackOutcome === 'failure') {
    return 'THE AUTOMATIC ROLLBACK FAILED TOO: run the Rollback workflow or follow docs/operations.md (roll back)';
  }
  if (f.infraRolledOut) {
    return 'the infrastructure update had already replaced tasks when it failed, and CloudFormation rolled the stack back to the previous version: check the stack events above and that the service runs the previous image';
  }
  return f.stage === 'deploy'
    ? 'nothing was rolled out, so nothing was rolled back'
    : 'the services were not checked, so nothing was rolled back';
}

if (isEntryPoint(import.meta.url)) {
  const env = process.env;
  const stage = env.STAGE === 'verify' ? 'verify' : 'deploy';
  const environment = env.ENVIRONMENT ?? '?';
  const message = failureMessage({
    stage,
    environment,
    failedTag: env.FAILED_TAG,
    rollbackOutcome: env.ROLLBACK_OUTCOME ?? '',
    rolledBackTo: env.ROLLED_BACK_TO,
    infraRolledOut: env.INFRA_ROLLED_OUT === 'true',
  });
  const title =
    stage === 'deploy' ? `Deployment to ${environment} failed` : `Verification of ${environment} failed`;
  console.log(`::error title=${title}::${message}`);
  if (env.GITHUB_STEP_SUMMARY) {
    appendFileSync(
      env.GITHUB_STEP_SUMMARY,
      `## :x: ${message}\n\nSee docs/operations.md (failure messages) for what each error above means.\n`,
    );
  }
}
