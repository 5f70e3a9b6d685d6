// The AWS and GitHub stubs, started once per test file, with what they recorded cleared after each test.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { roleAuthorizer } from './aws-authorization.ts';
import { type AwsStub, startAwsStub } from './aws-stub.ts';
import { type GitHubStub, startGitHubStub } from './github-stub.ts';
import { SYNTH_TIMEOUT_MS } from './timeouts.ts';

export interface Stubs {
  aws: AwsStub;
  github: GitHubStub;
}

/**
 * Registers the hooks; the stubs are there from beforeAll on. The AWS stub answers as AWS would to the staging
 * environment's deploy role as synthesized from the configuration: a request its policy does not allow is denied.
 */
export function useStubs(): Stubs {
  const stubs = {} as Stubs;
  // The authorizer needs the Access stack synthesized (once per run, by the first file that asks).
  beforeAll(async () => {
    stubs.aws = await startAwsStub({}, { authorize: await roleAuthorizer('deploy', 'staging') });
    stubs.github = await startGitHubStub();
  }, SYNTH_TIMEOUT_MS);
  afterAll(async () => {
    await stubs.aws?.close();
    await stubs.github?.close();
  });
  afterEach(() => {
    stubs.aws.requests.length = 0;
    stubs.aws.denied.length = 0;
    stubs.github.requests.length = 0;
    stubs.github.deployments.length = 0;
  });
  return stubs;
}
