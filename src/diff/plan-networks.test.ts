// The plan names the service networks an environment starts or stops reaching, and through which path.
import { describe, expect, it } from 'vitest';
import { parse } from '../../test/config/sources.ts';
import type { Config, Environment } from '../config/model.ts';
import { formatPlanMarkdown } from './markdown.ts';
import { hasChanges, planChange } from './plan.ts';

const SHARED = 'arn:aws:vpc-lattice:eu-west-1:999988887777:servicenetwork/sn-0bbbbbbbbbbbbbbbb';

function example(): Config {
  const { config } = parse();
  if (!config) throw new Error('the example config must be valid');
  return config;
}

function withStaging(config: Config, fields: Partial<Environment>): Config {
  const environments = config.deployment.environments.map((env) =>
    env.name === 'staging' ? { ...env, ...fields } : env,
  );
  return { ...config, deployment: { environments } };
}

describe('service networks in the plan', () => {
  it('names the networks added and removed per environment, an ID and its ARN being one network', () => {
    const base = withStaging(example(), {
      serviceNetworkEndpoints: ['sn-0cccccccccccccccc', 'sn-0bbbbbbbbbbbbbbbb'],
    });
    const head = withStaging(example(), {
      serviceNetworkEndpoints: ['sn-0aaaaaaaaaaaaaaaa', SHARED],
      directClients: { cidrs: ['10.0.0.0/8'], serviceNetworks: ['sn-0123456789abcdef0'] },
    });
    const plan = planChange(base, head);
    expect(plan.networks).toEqual([
      { environment: 'staging', network: 'sn-0aaaaaaaaaaaaaaaa', kind: 'added', via: 'proxy endpoint' },
      {
        environment: 'staging',
        network: 'sn-0123456789abcdef0',
        kind: 'added',
        via: 'direct-client endpoint',
      },
      { environment: 'staging', network: 'sn-0cccccccccccccccc', kind: 'removed', via: 'proxy endpoint' },
    ]);
    expect(hasChanges(plan)).toBe(true);
    const markdown = formatPlanMarkdown(plan);
    expect(markdown).toContain('### Service networks');
    expect(markdown).toContain('| added | `staging` | `sn-0aaaaaaaaaaaaaaaa` | proxy endpoint |');
    expect(markdown).toContain('| removed | `staging` | `sn-0cccccccccccccccc` | proxy endpoint |');
  });

  it('says nothing when the networks stay', () => {
    const config = withStaging(example(), { serviceNetworkEndpoints: [SHARED] });
    expect(planChange(config, config).networks).toEqual([]);
  });

  it('lists the association of a new environment', () => {
    const base = example();
    const head = example();
    const plan = planChange(
      { ...base, deployment: { environments: base.deployment.environments.slice(1) } },
      head,
    );
    expect(plan.networks).toEqual([
      { environment: 'staging', network: 'sn-0123456789abcdef0', kind: 'added', via: 'association' },
    ]);
  });
});
