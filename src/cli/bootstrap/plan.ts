// Where bootstrap's and doctor's decisions lived before src/bootstrap-plan/: test/cli/bootstrap-plan.test.ts still
// imports them here.
export {
  type AwsState,
  awsSteps,
  bootstrapProblems,
  checkoutProblems,
  environmentFindings,
  githubSteps,
  providerArn,
  repositoryFindings,
  repositoryOfRemote,
  shellLine,
} from '../../bootstrap-plan/plan.ts';
