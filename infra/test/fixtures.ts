// Shared test inputs: the example configuration, variations of its environments, and one synthesis per app.
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type Config, type Environment, EnvironmentSchema } from '../../src/config/model.ts';
import { requireValidConfig } from '../../src/config/valid-config.ts';
import { SAMPLE_CONFIG_DIR } from '../../test/support/sample-config.ts';
import { type BuiltApp, buildApp } from '../app.ts';

export const REPOSITORY_ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE_CONFIG_DIR = SAMPLE_CONFIG_DIR;

export async function exampleConfig(): Promise<Config> {
  return (await requireValidConfig(EXAMPLE_CONFIG_DIR)).config;
}

/** An environment with the schema's defaults applied, like one read from deployment.yaml. */
export function environment(fields: Partial<Environment> & Pick<Environment, 'name' | 'mode'>): Environment {
  return EnvironmentSchema.parse({
    account: '111122223333',
    region: 'eu-west-1',
    vpcCidr: '10.50.0.0/20',
    github: { repository: 'example-org/lattice-ingress' },
    ...fields,
  });
}

/**
 * An environment with every option on: both load balancers, IPv6, ECS Exec, the example provider, DNS, a Transit
 * Gateway, a further service network through an endpoint and direct clients.
 */
export function everyOptionEnvironment(name = 'sandbox'): Environment {
  return environment({
    name,
    mode: 'both',
    dualStack: true,
    ecsExec: true,
    exampleProvider: true,
    hostedZones: {
      public: { id: 'Z0PUBLIC00000000000', name: 'example.com' },
      private: { id: 'Z0PRIVATE0000000000', name: 'corp.example.com' },
    },
    network: { transitGatewayId: 'tgw-0123456789abcdef0', routes: ['10.0.0.0/8'] },
    serviceNetworkEndpoints: ['sn-0aaaaaaaaaaaaaaaa'],
    directClients: { cidrs: ['10.0.0.0/8'], serviceNetworks: ['sn-0aaaaaaaaaaaaaaaa'] },
  });
}

export function withEnvironments(config: Config, environments: Environment[]): Config {
  return { ...config, deployment: { environments } };
}

export interface Synthesized extends BuiltApp {
  /** Template of a stack, by stack name. */
  template(stackName: string): Template;
  stackNames(): string[];
}

/** Synthesizing an app takes seconds of CPU; on a busy shared machine the wall time can be many times that. */
export const SYNTH_TIMEOUT_MS = 180_000;

/**
 * CDK's built-in template validation costs seconds per synthesis; `cdk synth` (and the offline synth test) keeps it,
 * the assertion tests skip it.
 */
export const WITHOUT_TEMPLATE_VALIDATION = { '@aws-cdk/core:validateAgainstDefaultRules': false };

/** Builds and synthesizes once; templates are parsed from the cloud assembly, not re-synthesized per test. */
export function synthesize(config: Config, options: { nag?: boolean } = {}): Synthesized {
  const built = buildApp(config, new App({ context: WITHOUT_TEMPLATE_VALIDATION }), {
    nag: options.nag ?? false,
  });
  const assembly = built.app.synth();
  const cache = new Map<string, Template>();
  return {
    ...built,
    template(stackName) {
      let template = cache.get(stackName);
      if (!template) {
        template = Template.fromJSON(assembly.getStackByName(stackName).template);
        cache.set(stackName, template);
      }
      return template;
    },
    stackNames: () => assembly.stacks.map((stack) => stack.stackName),
  };
}

/** Every resource of a type as [logicalId, properties]. */
export function resourcesOf(template: Template, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.findResources(type)).map(([id, r]) => [
    id,
    (r.Properties ?? {}) as Record<string, unknown>,
  ]);
}

/** Properties of the first resource of a type (whose logical id contains `idPart`); fails the test when absent. */
export function propertiesOf(template: Template, type: string, idPart = ''): Record<string, unknown> {
  const found = resourcesOf(template, type).find(([id]) => id.includes(idPart));
  if (!found) throw new Error(`no ${type}${idPart ? ` with ${idPart} in its id` : ''} in the template`);
  return found[1];
}
