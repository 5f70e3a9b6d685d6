// Where doctor's smoke runner check lived before src/bootstrap-plan/: test/cli/bootstrap-plan.test.ts still imports
// it here.
export { MIN_RUNNER_VERSION_FOR_NODE24, smokeRunnerFindings } from '../../bootstrap-plan/smoke-runner.ts';
