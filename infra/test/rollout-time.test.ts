// The merge-to-replaced estimate: pure arithmetic, reading settings from a template, and the documented figure.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { extractGeneratedBlock } from '../../scripts/generated-block.ts';
import {
  ASSUMPTIONS,
  comparisonForConfig,
  DOCS_FILE,
  docsBlock,
  estimateRollout,
  REFERENCE_DESIGN,
  ROLLOUT_TIME_BLOCK,
  type RolloutSettings,
  rolloutSettingsFromTemplate,
} from '../rollout-time.ts';
import { EXAMPLE_CONFIG_DIR, SYNTH_TIMEOUT_MS } from './fixtures.ts';

const OURS: RolloutSettings = {
  ...REFERENCE_DESIGN,
  healthCheckProtocol: 'HTTP',
  healthyThreshold: 2,
  deregistrationDelaySeconds: 30,
  gracePeriodSeconds: 30,
  desiredCount: 2,
  automatic: true,
};

describe('estimateRollout', () => {
  it('adds pipeline, start, registration, health checks, draining and stop for one batch', () => {
    const estimate = estimateRollout(OURS);
    expect(estimate.batches).toBe(1);
    expect(estimate.totalSeconds).toBe(
      ASSUMPTIONS.pipelineSeconds +
        ASSUMPTIONS.taskStartSeconds +
        ASSUMPTIONS.targetRegistrationSeconds +
        2 * 5 +
        30 +
        ASSUMPTIONS.shutdownSeconds,
    );
  });

  it('repeats the per-task steps for every batch the maximum percent allows', () => {
    const estimate = estimateRollout({ ...OURS, desiredCount: 4, maxPercent: 150 });
    expect(estimate.batchSize).toBe(2);
    expect(estimate.batches).toBe(2);
    expect(estimateRollout({ ...OURS, desiredCount: 3, maxPercent: 110 }).batches).toBe(3);
  });

  it('is several minutes faster than the reference design, mostly from the deregistration delay', () => {
    const ours = estimateRollout(OURS);
    const reference = estimateRollout(REFERENCE_DESIGN);
    expect(reference.totalSeconds - ours.totalSeconds).toBe(300 - 30 + 5 * (3 - 2));
  });
});

describe('rolloutSettingsFromTemplate', () => {
  const template = (attributes: { Key: string; Value: string }[]) => ({
    Resources: {
      Tg: {
        Type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        Properties: {
          HealthCheckProtocol: 'HTTP',
          HealthCheckIntervalSeconds: 10,
          HealthyThresholdCount: 3,
          TargetGroupAttributes: attributes,
        },
      },
      Service: {
        Type: 'AWS::ECS::Service',
        Properties: {
          DesiredCount: 4,
          HealthCheckGracePeriodSeconds: 45,
          DeploymentConfiguration: { MinimumHealthyPercent: 50, MaximumPercent: 100 },
          LoadBalancers: [{ TargetGroupArn: { Ref: 'Tg' } }],
        },
      },
      Task: { Type: 'AWS::ECS::TaskDefinition', Properties: { ContainerDefinitions: [{ StopTimeout: 90 }] } },
    },
  });

  it('reads health checks, draining, deployment configuration and stop timeout', () => {
    expect(
      rolloutSettingsFromTemplate(template([{ Key: 'deregistration_delay.timeout_seconds', Value: '25' }])),
    ).toEqual({
      healthCheckProtocol: 'HTTP',
      healthCheckIntervalSeconds: 10,
      healthyThreshold: 3,
      unhealthyThreshold: 2,
      deregistrationDelaySeconds: 25,
      gracePeriodSeconds: 45,
      minHealthyPercent: 50,
      maxPercent: 100,
      desiredCount: 4,
      stopTimeoutSeconds: 90,
      automatic: true,
    });
  });

  it('applies the 300 s default when no deregistration delay is set', () => {
    expect(rolloutSettingsFromTemplate(template([])).deregistrationDelaySeconds).toBe(300);
  });

  it('refuses a template without exactly one ECS service', () => {
    expect(() => rolloutSettingsFromTemplate({ Resources: {} })).toThrow(/one ECS service/);
  });
});

describe('documented figure', () => {
  it(
    'docs/infrastructure.md shows exactly what the synthesized templates give',
    async () => {
      const expected = docsBlock(await comparisonForConfig(EXAMPLE_CONFIG_DIR));
      const documented = extractGeneratedBlock(await readFile(DOCS_FILE, 'utf8'), ROLLOUT_TIME_BLOCK);
      expect(
        documented,
        'run `npx tsx infra/rollout-time.ts --config test/fixtures/config/sample --write-docs`',
      ).toBe(expected);
    },
    SYNTH_TIMEOUT_MS,
  );
});
