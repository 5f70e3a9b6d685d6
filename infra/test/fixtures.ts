// Shared test inputs: the example configuration, variations of its environments, and one synthesis per app and run.
import { resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { type Config, type Environment, EnvironmentSchema } from '../../src/config/model.ts';
import { requireValidConfig } from '../../src/config/valid-config.ts';
import { oncePerRun } from '../../test/support/run-cache.ts';
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

export const TRANSIT_GATEWAY_ID = 'tgw-0123456789abcdef0';
export const SHARED_SERVICE_NETWORK_ARN =
  'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0123456789abcdef0';

/**
 * The private-mode variations, one app for the files that assert on them: routed through a Transit Gateway, plain,
 * and associated with a service network shared from another account.
 */
export const PRIVATE_ENVIRONMENTS: readonly Environment[] = [
  environment({
    name: 'routed',
    mode: 'private',
    network: { transitGatewayId: TRANSIT_GATEWAY_ID, routes: ['10.0.0.0/8', '192.168.10.0/24'] },
  }),
  environment({ name: 'plain', mode: 'private' }),
  environment({ name: 'shared', mode: 'private', serviceNetworkId: SHARED_SERVICE_NETWORK_ARN }),
];

export function withEnvironments(config: Config, environments: readonly Environment[]): Config {
  return { ...config, deployment: { environments: [...environments] } };
}

export interface Synthesized {
  /** Template of a stack, by stack name. */
  template(stackName: string): Template;
  stackNames(): string[];
}

export { SYNTH_TIMEOUT_MS } from '../../test/support/timeouts.ts';

/**
 * CDK's built-in template validation costs seconds per synthesis; `cdk synth` (and the offline synth test) keeps it,
 * the assertion tests skip it.
 */
export const WITHOUT_TEMPLATE_VALIDATION = { '@aws-cdk/core:validateAgainstDefaultRules': false };

/**
 * The templates of the app for `config`, synthesized once per test run: test files that synthesize the same
 * configuration share one synthesis (test/support/run-cache.ts).
 */
export async function synthesize(config: Config): Promise<Synthesized> {
  const templates = await oncePerRun('cdk-templates', config, () => {
    const assembly = buildApp(config, new App({ context: WITHOUT_TEMPLATE_VALIDATION }), {
      nag: false,
    }).app.synth();
    return Object.fromEntries(assembly.stacks.map((stack) => [stack.stackName, stack.template]));
  });
  return parsedTemplates(templates);
}

/** The app itself, for a test that inspects its constructs (cdk-nag), with its templates; not shared. */
export function synthesizeApp(config: Config): Synthesized & BuiltApp {
  const built = buildApp(config, new App({ context: WITHOUT_TEMPLATE_VALIDATION }), { nag: false });
  const assembly = built.app.synth();
  return {
    ...built,
    ...parsedTemplates(Object.fromEntries(assembly.stacks.map((stack) => [stack.stackName, stack.template]))),
  };
}

/** Templates are parsed for assertions once each, when a test first asks for one. */
function parsedTemplates(templates: Record<string, unknown>): Synthesized {
  const cache = new Map<string, Template>();
  return {
    template(stackName) {
      let template = cache.get(stackName);
      if (!template) {
        const json = templates[stackName];
        if (!json) throw new Error(`no stack ${stackName}; the app has ${Object.keys(templates).join(', ')}`);
        template = Template.fromJSON(json as Record<string, unknown>);
        cache.set(stackName, template);
      }
      return template;
    },
    stackNames: () => Object.keys(templates),
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
