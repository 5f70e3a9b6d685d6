// `lattice-ingress doctor`: checks what the first deployment needs, in AWS, GitHub and this clone, and says how to
// fix each problem. Changes nothing. Each section (the repository, each environment's AWS account, its GitHub side)
// is checked on its own: one that cannot be read is reported as such and the others still are.
import type { Config, Environment } from '../../config/model.ts';
import { type Style, styleFor } from '../../render/report.ts';
import type { Finding } from '../bootstrap/finding.ts';
import {
  observeAws,
  observeEndpointAssociations,
  observeGithub,
  observeIngressOutputs,
  toolPath,
} from '../bootstrap/observe.ts';
import {
  type AwsOptions,
  type AwsState,
  awsFindings,
  type GithubState,
  githubFindings,
  repositoryFindings,
} from '../bootstrap/plan.ts';
import { type EndpointState, endpointIds, serviceNetworkFindings } from '../bootstrap/service-networks.ts';
import { type Command, UsageError } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

interface DoctorFlags {
  env?: string[];
  profile?: string[];
  config: string;
}

/** A section's findings, or one failed finding saying why the section could not be checked. */
function section(name: string, check: () => Finding[]): Finding[] {
  try {
    return check();
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return [{ ok: false, check: `${name} could be read`, fix: why }];
  }
}

function line(finding: Finding, style: Style): string {
  const mark = finding.ok ? style.ok('ok  ') : finding.warning ? style.warn('warn') : style.fail('FAIL');
  return `  ${mark}  ${finding.check}${finding.fix ? `\n        ${style.dim('fix:')} ${finding.fix}` : ''}`;
}

/** The environments asked for, each with its profile: one --profile for all, or one per --env. */
export function selectEnvironments(
  all: readonly Environment[],
  names: readonly string[],
  profiles: readonly string[],
): { env: Environment; options: AwsOptions }[] {
  const chosen = names.length === 0 ? [...all] : names.map((name) => findOrRefuse(all, name));
  if (profiles.length > 1 && profiles.length !== chosen.length) {
    throw new UsageError(
      `${profiles.length} --profile for ${chosen.length} environment(s)`,
      'give one --profile for all, or one per --env in the same order',
    );
  }
  return chosen.map((env, i) => {
    const profile = profiles.length > 1 ? profiles[i] : profiles[0];
    return { env, options: profile ? { profile } : {} };
  });
}

function findOrRefuse(all: readonly Environment[], name: string): Environment {
  const env = all.find((candidate) => candidate.name === name);
  if (!env) {
    throw new UsageError(
      `no environment "${name}" in deployment.yaml`,
      `use one of ${all.map((e) => e.name).join(', ')}`,
    );
  }
  return env;
}

function awsSection(env: Environment, options: AwsOptions): { findings: Finding[]; aws?: AwsState } {
  if (!toolPath('aws')) {
    const fix =
      'install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)';
    return { findings: [{ ok: false, check: 'the aws CLI is installed', fix }] };
  }
  let aws: AwsState | undefined;
  const findings = section(`account ${env.account}`, () => {
    aws = observeAws(env, options);
    return awsFindings(env, aws, options);
  });
  return { findings, ...(aws ? { aws } : {}) };
}

/**
 * The service-network endpoints, from the Ingress stack's outputs and EC2's associations. An endpoint whose
 * associations cannot be read is reported as such; the other endpoints are still checked.
 */
function serviceNetworkSection(config: Config, env: Environment, options: AwsOptions): Finding[] {
  if (!env.serviceNetworkEndpoints?.length && !env.directClients) return [];
  return section(`the Ingress stack of ${env.name}`, () => {
    const ingressOutputs = observeIngressOutputs(env, options);
    const state: EndpointState = { ...(ingressOutputs ? { ingressOutputs } : {}), associations: {} };
    const unread = Object.entries(endpointIds(env, ingressOutputs ?? {})).flatMap(([network, endpoint]) =>
      section(`the associations of endpoint ${endpoint} (${network})`, () => {
        state.associations[endpoint] = observeEndpointAssociations(env, options, endpoint);
        return [];
      }),
    );
    return [...unread, ...serviceNetworkFindings(config, env, state)];
  });
}

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as unknown as DoctorFlags;
  const config = await loadValidConfig(values.config, 'Nothing was checked');
  if (!config) return 1;
  const all = config.deployment.environments;
  const selected = selectEnvironments(all, values.env ?? [], values.profile ?? []);
  const style = styleFor();

  const findings: Finding[] = [];
  const print = (title: string, found: Finding[]) => {
    console.log(`${style.bold(title)}\n${found.map((finding) => line(finding, style)).join('\n')}`);
    findings.push(...found);
  };
  const [first] = all;
  const github: GithubState = observeGithub(first?.github.repository ?? '', all);
  print(
    'Repository:',
    section('the repository', () => repositoryFindings(config, github)),
  );
  for (const { env, options } of selected) {
    const { findings: inAws, aws } = awsSection(env, options);
    const readable = aws?.callerAccount === env.account;
    const onGithub = section('GitHub', () =>
      githubFindings(env, github, readable ? aws?.accessOutputs : undefined, options),
    );
    const endpoints = readable ? serviceNetworkSection(config, env, options) : [];
    print(`\n${env.name} (account ${env.account}, ${env.region}):`, [...inAws, ...endpoints, ...onGithub]);
  }
  const failed = findings.filter((finding) => !finding.ok && !finding.warning).length;
  console.log(
    failed === 0 ? style.ok('\nEverything checked is in place.') : style.fail(`\n${failed} check(s) failed.`),
  );
  return failed === 0 ? 0 : 1;
};
