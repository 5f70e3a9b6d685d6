import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

/** Refuses to act with credentials for another account than the environment's (a wrong role or secret). */
export async function assertAccount(sts: STSClient, expected: string, environment: string): Promise<string> {
  const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
  if (Account !== expected) {
    throw new Error(
      `the AWS credentials are for account ${Account} (${Arn}), but environment ${environment} is in account ${expected}; check the role the workflow assumes`,
    );
  }
  return Arn ?? '';
}
