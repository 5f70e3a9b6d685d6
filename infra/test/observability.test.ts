// The ingress stack's dashboard, alarms, metric filters and saved queries, as synthesized per environment.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Environment, ServiceSchema } from '../../src/config/model.ts';
import {
  EXAMPLE_CLIENT,
  LOG_METRICS,
  LOG_QUERIES,
  type LogQuery,
  matches,
  metricFilterPattern,
  queryText,
} from '../constructs/access-log.ts';
import { LATTICE_METRICS, latticeServiceId, metricNamespace } from '../constructs/observability.ts';
import {
  environment,
  exampleConfig,
  REPOSITORY_ROOT,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthesize,
  withEnvironments,
} from './fixtures.ts';

const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:ops-alerts';
const ENVIRONMENTS: Environment[] = [
  environment({ name: 'priv', mode: 'private', serviceNetworkId: 'sn-0123456789abcdef0' }),
  environment({
    name: 'both',
    mode: 'both',
    vpcCidr: '10.52.0.0/16',
    alarms: {
      topicArn: TOPIC,
      noHealthyTargetMinutes: 3,
      belowDesiredMinutes: 7,
      cpuPercent: 95,
      cpuMinutes: 15,
      upstreamErrorsPer5Minutes: 40,
      refusalsPer5Minutes: 2500,
    },
  }),
];

let app: Synthesized;
let maxTasks: number;
const ingress = (name: string) => app.template(`LatticeIngress-${name}-Ingress`);
const dashboardBody = (name: string) => {
  const [[, properties] = []] = resourcesOf(ingress(name), 'AWS::CloudWatch::Dashboard');
  // The body is a Fn::Join of text and tokens; the text is what is checked here.
  return JSON.stringify(properties?.DashboardBody);
};
const alarms = (name: string) =>
  Object.fromEntries(
    resourcesOf(ingress(name), 'AWS::CloudWatch::Alarm').map(([, p]) => [
      String(p.AlarmName).replace(`lattice-ingress-${name}-`, ''),
      p,
    ]),
  );

beforeAll(async () => {
  const config = await exampleConfig();
  maxTasks = config.scaling.maxTasks;
  app = await synthesize(withEnvironments(config, ENVIRONMENTS));
}, SYNTH_TIMEOUT_MS);

describe('metric filters', () => {
  it('publish every log metric from the proxy log group, with the pattern tested against real nginx lines', () => {
    for (const name of ['priv', 'both']) {
      const filters = resourcesOf(ingress(name), 'AWS::Logs::MetricFilter').map(([, p]) => p);
      expect(filters).toHaveLength(Object.keys(LOG_METRICS).length);
      for (const metric of Object.values(LOG_METRICS)) {
        const filter = filters.find(
          (p) => (p.MetricTransformations as { MetricName: string }[])[0]?.MetricName === metric.name,
        );
        expect(filter).toMatchObject({
          FilterPattern: metricFilterPattern(metric.filter),
          MetricTransformations: [
            {
              MetricNamespace: metricNamespace(name),
              MetricValue: 'value' in metric ? `$.${metric.value}` : '1',
              Unit: metric.unit,
              ...('value' in metric ? {} : { DefaultValue: 0 }),
            },
          ],
        });
        expect(JSON.stringify(filter?.LogGroupName)).toContain('ProxyLogs');
      }
    }
  });

  it('render the JSON pattern syntax CloudWatch Logs reads', () => {
    expect(metricFilterPattern(LOG_METRICS.upstreamErrors.filter)).toBe(
      '{ ($.outcome = "served") && ($.status >= 500) }',
    );
    expect(metricFilterPattern(LOG_METRICS.refusedTls.filter)).toBe(
      '{ ($.listener = "tls") && ($.outcome = "refused-off-list" || $.outcome = "refused-not-granted" || $.outcome = "refused-unknown-name" || $.outcome = "refused-limit") }',
    );
  });
});

describe('saved queries', () => {
  it("save every documented query for its log group, the proxy's or the flow logs, in a folder per environment", () => {
    const definitions = resourcesOf(ingress('priv'), 'AWS::Logs::QueryDefinition').map(([, p]) => p);
    expect(definitions.map((p) => p.Name).sort()).toEqual(
      Object.values(LOG_QUERIES)
        .map((query) => `lattice-ingress-priv/${query.name}`)
        .sort(),
    );
    const [[flowLogGroup] = []] = resourcesOf(ingress('priv'), 'AWS::EC2::FlowLog').map(([, p]) => [
      JSON.stringify(p.LogGroupName),
    ]);
    expect(flowLogGroup).toContain('FlowLogs');
    for (const query of Object.values(LOG_QUERIES) as LogQuery[]) {
      const definition = definitions.find((p) => p.Name === `lattice-ingress-priv/${query.name}`);
      expect(definition?.QueryString).toBe(queryText(query));
      const groups = JSON.stringify(definition?.LogGroupNames);
      if (query.logGroup === 'flowLogs') expect(groups).toBe(`[${flowLogGroup}]`);
      else expect(groups).toContain('ProxyLogs');
    }
  });

  it("find a client's rejected and accepted flows in VPC flow log records (default format)", () => {
    // The fields Logs Insights discovers in a default-format record, by position.
    const FIELDS = ['version', 'accountId', 'interfaceId', 'srcAddr', 'dstAddr', 'srcPort', 'dstPort'];
    const record = (line: string) =>
      Object.fromEntries(line.split(' ').map((value, i) => [FIELDS[i] ?? i, value]));
    const records = [
      `2 111122223333 eni-0a1b2c3d ${EXAMPLE_CLIENT} 10.42.0.12 40000 443 6 3 180 1700000000 1700000060 REJECT OK`,
      `2 111122223333 eni-0a1b2c3d ${EXAMPLE_CLIENT} 10.42.0.12 40001 80 6 5 300 1700000000 1700000060 ACCEPT OK`,
      '2 111122223333 eni-0a1b2c3d 203.0.113.9 10.42.0.12 40002 443 6 3 180 1700000000 1700000060 REJECT OK',
    ].map(record);
    const query = LOG_QUERIES.flowsOneClient;
    expect(records.filter((line) => matches(query.filter, line))).toEqual(records.slice(0, 2));
    expect(queryText(query)).toContain('by action, dstAddr, dstPort, interfaceId');
  });
});

describe('dashboard', () => {
  it('has one per environment with the NLB, ECS, proxy and Lattice widgets', () => {
    const [[, properties] = []] = resourcesOf(ingress('priv'), 'AWS::CloudWatch::Dashboard');
    expect(properties?.DashboardName).toBe('lattice-ingress-priv');
    const body = dashboardBody('priv');
    for (const metric of [
      'ActiveFlowCount',
      'NewFlowCount',
      'ProcessedBytes',
      'TCP_Client_Reset_Count',
      'TCP_Target_Reset_Count',
      'HealthyHostCount',
      'UnHealthyHostCount',
      'CPUUtilization',
      'MemoryUtilization',
      'RunningTaskCount',
      'DesiredTaskCount',
      'DeploymentCount',
      ...Object.values(LOG_METRICS).map((metric) => metric.name),
    ]) {
      expect(body).toContain(metric);
    }
    expect(body).toContain('LatticeIngress/priv');
  });

  it('shows the Lattice metrics of each service found by its ID, only where a service network is associated', async () => {
    const services = (await exampleConfig()).services.services;
    const body = dashboardBody('priv');
    for (const service of services) {
      const id = latticeServiceId(service);
      for (const metric of LATTICE_METRICS) {
        expect(body).toContain(`MetricName=\\\\\\"${metric.name}\\\\\\" ${id}`);
      }
    }
    expect(dashboardBody('both')).not.toContain('AWS/VpcLattice');
  });

  it('derives the service ID from the Lattice-generated name, and none from a custom domain alone', () => {
    const service = (domain: string, latticeDomain?: string) =>
      ServiceSchema.parse({ name: 'orders', domain, latticeDomain });
    expect(
      latticeServiceId(
        service('orders.example.com', 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws'),
      ),
    ).toBe('svc-0a1b2c3d4e5f6a7b8');
    expect(latticeServiceId(service('orders.example.com'))).toBeUndefined();
  });
});

describe('alarms', () => {
  it('watch every target group, the task count, CPU at maxTasks, upstream errors and refusals', () => {
    expect(Object.keys(alarms('priv')).sort()).toEqual(
      [
        'BelowDesired',
        'CpuAtMaximum',
        'NoHealthyTargetPrivate8080',
        'NoHealthyTargetPrivate8443',
        'RefusalSpike',
        'UpstreamErrors',
      ].sort(),
    );
    expect(Object.keys(alarms('both'))).toHaveLength(8);
  });

  it('use the defaults: 2 minutes without a healthy target, 5 below desired, CPU 25 points above target', () => {
    const priv = alarms('priv');
    expect(priv.NoHealthyTargetPrivate8443).toMatchObject({
      MetricName: 'HealthyHostCount',
      Namespace: 'AWS/NetworkELB',
      Statistic: 'Minimum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 2,
      TreatMissingData: 'breaching',
    });
    expect(priv.BelowDesired).toMatchObject({ Threshold: 1, EvaluationPeriods: 5 });
    expect(JSON.stringify(priv.BelowDesired?.Metrics)).toContain('desired - running');
    expect(priv.CpuAtMaximum).toMatchObject({ Threshold: 85, EvaluationPeriods: 10 });
    expect(JSON.stringify(priv.CpuAtMaximum?.Metrics)).toContain(`IF(running >= ${maxTasks}, cpu, 0)`);
    expect(priv.UpstreamErrors).toMatchObject({
      MetricName: 'UpstreamErrors',
      Namespace: 'LatticeIngress/priv',
      Statistic: 'Sum',
      Period: 300,
      Threshold: 25,
    });
    expect(priv.RefusalSpike).toMatchObject({ MetricName: 'Refusals', Period: 300, Threshold: 1000 });
  });

  it('take the thresholds from deployment.yaml', () => {
    const both = alarms('both');
    expect(both.NoHealthyTargetPublic8080).toMatchObject({ EvaluationPeriods: 3 });
    expect(both.BelowDesired).toMatchObject({ EvaluationPeriods: 7 });
    expect(both.CpuAtMaximum).toMatchObject({ Threshold: 95, EvaluationPeriods: 15 });
    expect(both.UpstreamErrors).toMatchObject({ Threshold: 40 });
    expect(both.RefusalSpike).toMatchObject({ Threshold: 2500 });
  });

  it('notify the topic the stack creates, or the configured one, on alarm and on recovery', () => {
    const priv = ingress('priv');
    const [[topicId] = []] = resourcesOf(priv, 'AWS::SNS::Topic');
    expect(topicId).toBeDefined();
    for (const alarm of Object.values(alarms('priv'))) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.OKActions).toEqual([{ Ref: topicId }]);
    }
    ingress('both').resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(alarms('both'))) {
      expect(alarm.AlarmActions).toEqual([TOPIC]);
    }
  });

  it('each link to its runbook entry in docs/operations.md, which names every alarm and dashboard metric', async () => {
    const docs = await readFile(resolve(REPOSITORY_ROOT, 'docs/operations.md'), 'utf8');
    const headings = [...docs.matchAll(/^#+ (.+)$/gm)].map((match) =>
      (match[1] ?? '')
        .toLowerCase()
        .replace(/[^a-z0-9 -]/g, '')
        .replace(/ /g, '-'),
    );
    for (const [name, alarm] of Object.entries(alarms('both'))) {
      const anchor = /docs\/operations\.md#([a-z-]+)/.exec(String(alarm.AlarmDescription))?.[1];
      expect(headings, name).toContain(anchor);
      expect(docs).toContain(name.replace(/(Public|Private)\d+$/, ''));
    }
    for (const metric of Object.values(LOG_METRICS)) expect(docs).toContain(`\`${metric.name}\``);
    for (const metric of LATTICE_METRICS) expect(docs).toContain(`\`${metric.name}\``);
  });
});
