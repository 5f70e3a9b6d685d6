// The environments of config/deployment.yaml as the workflows' matrix: what `lattice-ingress environments --json`
// prints and the environments action sets. The workflows never parse YAML themselves, so the matrix only ever carries
// values the config model has validated.
import { type Deployment, type Environment, githubEnvironment } from '../config/model.ts';
import { partitionOf, previewRoleVariable } from './names.ts';

/** One matrix entry of the deploy, verify and PR preview jobs. */
export interface EnvironmentEntry {
  name: string;
  /** GitHub deployment environment: protection rules, reviewers and the DEPLOY_ROLE_ARN variable live there. */
  githubEnvironment: string;
  account: string;
  region: string;
  /** ARN partition of the Region: aws-cn for cn-*, aws-us-gov for us-gov-*, aws elsewhere. */
  partition: string;
  mode: Environment['mode'];
  /** runs-on label of the self-hosted runner whose address is allowlisted, or '' when none is configured. */
  smokeRunner: string;
  /** Which load balancer the smoke runner reaches: the internal one whenever the mode has it. */
  smokeEndpoint: 'public' | 'private';
  /** A GitHub-hosted runner can prove refusal only through an internet-facing load balancer. */
  refusalCheck: boolean;
  /** Repository variable holding the read-only role pull requests assume for `cdk diff` in this environment. */
  previewRoleVariable: string;
}

export function environmentEntries(deployment: Deployment): EnvironmentEntry[] {
  return deployment.environments.map((env) => ({
    name: env.name,
    githubEnvironment: githubEnvironment(env),
    account: env.account,
    region: env.region,
    partition: partitionOf(env.region),
    mode: env.mode,
    smokeRunner: env.smokeRunner ?? '',
    smokeEndpoint: env.mode === 'public' ? 'public' : 'private',
    refusalCheck: env.mode !== 'private',
    previewRoleVariable: previewRoleVariable(env.name),
  }));
}
