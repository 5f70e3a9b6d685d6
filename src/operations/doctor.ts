// What the first deployment needs, checked in AWS, GitHub and this clone, with the fix for each problem; changes
// nothing. Each section (the repository, each environment's AWS account, its GitHub side) is checked on its own: one
// that cannot be read becomes one failed finding saying why, and the others are still checked. Never throws for an
// expected failure. The ports are bootstrap's (./bootstrap.ts) plus what doctor reads besides.
import type { Finding } from '../bootstrap-plan/finding.ts';
import {
  type AwsOptions,
  type AwsState,
  awsFindings,
  type GithubState,
  githubFindings,
  repositoryFindings,
} from '../bootstrap-plan/plan.ts';
import {
  type EndpointAssociation,
  type EndpointState,
  endpointIds,
  serviceNetworkFindings,
} from '../bootstrap-plan/service-networks.ts';
import type { Config, Environment } from '../config/model.ts';
import { type ConfigRefusal, openConfig, type SetupPorts } from './bootstrap.ts';

export interface DoctorPorts extends SetupPorts {
  /** The clone's origin and, when gh can read them, the repository's environments, variables and runners. */
  observeGithub(repository: string, environments: readonly Environment[]): GithubState;
  /** The Ingress stack's outputs; undefined when it is not deployed. Throws when they cannot be read. */
  observeIngressOutputs(env: Environment, options: AwsOptions): Record<string, string> | undefined;
  /** What is associated with a service-network endpoint. Throws when it cannot be read. */
  observeEndpointAssociations(
    env: Environment,
    options: AwsOptions,
    endpointId: string,
  ): EndpointAssociation[];
  /** Where each section goes as soon as it is checked: the checks of an account take a while. */
  checked(section: DoctorSection): void;
}

export interface DoctorRequest {
  /** Names in deployment.yaml; none: every environment. */
  environments: readonly string[];
  /** One profile for all environments, or one per environment in the same order; none: the default credentials. */
  profiles: readonly string[];
}

/** The repository's findings, or one environment's. */
export interface DoctorSection {
  heading: string;
  findings: Finding[];
}

export type DoctorOutcome =
  | ConfigRefusal
  /** The request does not fit the configuration: an unknown name, or profiles that do not pair with the names. */
  | { state: 'refused'; cause: 'request'; reason: string; fix: string }
  | {
      state: 'checked';
      sections: DoctorSection[];
      /** Failed checks; warnings do not count. */
      failed: number;
    };

export async function doctor(request: DoctorRequest, ports: DoctorPorts): Promise<DoctorOutcome> {
  const config = await openConfig(ports);
  if ('state' in config) return config;
  const all = config.deployment.environments;
  const selected = selectEnvironments(all, request);
  if (!Array.isArray(selected)) return selected;

  const sections: DoctorSection[] = [];
  const show = (section: DoctorSection) => {
    ports.checked(section);
    sections.push(section);
  };
  const github = ports.observeGithub(all[0]?.github.repository ?? '', all);
  show({
    heading: 'Repository',
    findings: section('the repository', () => repositoryFindings(config, github)),
  });
  for (const { env, options } of selected) {
    const { findings: inAws, aws } = awsSection(env, options, ports);
    const readable = aws?.callerAccount === env.account;
    const onGithub = section('GitHub', () => githubFindings(env, github, aws, options));
    const endpoints = readable ? serviceNetworkSection(config, env, options, ports) : [];
    show({
      heading: `${env.name} (account ${env.account}, ${env.region})`,
      findings: [...inAws, ...endpoints, ...onGithub],
    });
  }
  const failed = sections.flatMap((s) => s.findings).filter((finding) => !finding.ok && !finding.warning);
  return { state: 'checked', sections, failed: failed.length };
}

type Selected = { env: Environment; options: AwsOptions }[];

/** The environments asked for, each with its profile: one profile for all, or one per environment. */
function selectEnvironments(all: readonly Environment[], request: DoctorRequest): Selected | DoctorOutcome {
  const { environments: names, profiles } = request;
  const chosen = names.length === 0 ? [...all] : [];
  for (const name of names) {
    const env = all.find((candidate) => candidate.name === name);
    if (!env) {
      const fix = `use one of ${all.map((e) => e.name).join(', ')}`;
      return {
        state: 'refused',
        cause: 'request',
        reason: `no environment "${name}" in deployment.yaml`,
        fix,
      };
    }
    chosen.push(env);
  }
  if (profiles.length > 1 && profiles.length !== chosen.length) {
    return {
      state: 'refused',
      cause: 'request',
      reason: `${profiles.length} --profile for ${chosen.length} environment(s)`,
      fix: 'give one --profile for all, or one per --env in the same order',
    };
  }
  return chosen.map((env, i) => {
    const profile = profiles.length > 1 ? profiles[i] : profiles[0];
    return { env, options: profile ? { profile } : {} };
  });
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

function awsSection(
  env: Environment,
  options: AwsOptions,
  ports: DoctorPorts,
): { findings: Finding[]; aws?: AwsState } {
  if (!ports.installed('aws')) {
    const fix =
      'install the AWS CLI v2 (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)';
    return { findings: [{ ok: false, check: 'the aws CLI is installed', fix }] };
  }
  let aws: AwsState | undefined;
  const findings = section(`account ${env.account}`, () => {
    aws = ports.observeAws(env, options);
    return awsFindings(env, aws, options);
  });
  return { findings, ...(aws ? { aws } : {}) };
}

/**
 * The service-network endpoints, from the Ingress stack's outputs and EC2's associations. An endpoint whose
 * associations cannot be read is reported as such; the other endpoints are still checked.
 */
function serviceNetworkSection(
  config: Config,
  env: Environment,
  options: AwsOptions,
  ports: DoctorPorts,
): Finding[] {
  if (!env.serviceNetworkEndpoints?.length && !env.directClients) return [];
  return section(`the Ingress stack of ${env.name}`, () => {
    const ingressOutputs = ports.observeIngressOutputs(env, options);
    const state: EndpointState = { ...(ingressOutputs ? { ingressOutputs } : {}), associations: {} };
    const unread = Object.entries(endpointIds(env, ingressOutputs ?? {})).flatMap(([network, endpoint]) =>
      section(`the associations of endpoint ${endpoint} (${network})`, () => {
        state.associations[endpoint] = ports.observeEndpointAssociations(env, options, endpoint);
        return [];
      }),
    );
    return [...unread, ...serviceNetworkFindings(config, env, state)];
  });
}
