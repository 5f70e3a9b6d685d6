// What an operator of one environment looks at and is woken by: a dashboard (load balancers, ECS service, the
// proxy's own outcomes from its access log, the Lattice services), alarms that notify an SNS topic, and saved Logs
// Insights queries. docs/operations.md (Dashboard, Alarms and runbook, Read the logs) describes each one.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { type Alarms, LATTICE_DNS_NAME, type Service, upstreamName } from '../../src/config/model.ts';
import { PROXY_CONTAINER_PORTS } from '../../src/contract/proxy-container.ts';
import { acknowledge } from '../nag.ts';
import {
  LOG_METRICS,
  LOG_QUERIES,
  type LogMetric,
  type LogQuery,
  metricFilterPattern,
  queryText,
} from './access-log.ts';
import type { IngressLoadBalancer } from './ingress-load-balancers.ts';

export interface ObservabilityProps {
  environmentName: string;
  alarms: Alarms;
  /** The CPU alarm's threshold (cpuAlarmPercent) and the most tasks scaling may run. */
  cpuAlarmPercent: number;
  maxTasks: number;
  logGroup: logs.ILogGroup;
  /** The VPC flow logs: the saved queries for clients dropped before the proxy run there. */
  flowLogGroup: logs.ILogGroup;
  cluster: ecs.ICluster;
  service: ecs.FargateService;
  loadBalancers: readonly IngressLoadBalancer[];
  /** Services whose Lattice metrics are shown: only a service network in this account publishes them here. */
  latticeServices: readonly Service[];
}

/** Where the metric filters publish; one namespace per environment, since metric filters take no fixed dimension. */
export function metricNamespace(environmentName: string): string {
  return `LatticeIngress/${environmentName}`;
}

export const DASHBOARD_PERIOD = Duration.minutes(1);
/** The window of the log-based alarms (upstream errors, refusals): their thresholds are counts per 5 minutes. */
export const LOG_ALARM_PERIOD = Duration.minutes(5);

/** The Lattice service ID in a generated name: orders-0a1b2c3d4e5f6a7b8.<...> is svc-0a1b2c3d4e5f6a7b8. */
export function latticeServiceId(service: Service): string | undefined {
  const name = upstreamName(service);
  if (!LATTICE_DNS_NAME.test(name)) return undefined;
  return `svc-${/-([0-9a-f]{17})\./.exec(name)?.[1]}`;
}

export const LATTICE_METRICS = [
  { name: 'RequestTime', statistic: 'Average', label: 'request time (ms)' },
  { name: 'HTTPCode_5XX_Count', statistic: 'Sum', label: '5xx responses' },
  { name: 'RequestTimeoutCount', statistic: 'Sum', label: 'request timeouts' },
  { name: 'TotalConnectionCount', statistic: 'Sum', label: 'connections' },
] as const;

export class Observability extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly logMetrics: Record<keyof typeof LOG_METRICS, cloudwatch.Metric>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: ObservabilityProps,
  ) {
    super(scope, id);
    this.topic = props.alarms.topicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.alarms.topicArn)
      : this.createTopic();
    this.logMetrics = this.createMetricFilters();
    this.saveQueries();
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `lattice-ingress-${props.environmentName}`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard.addWidgets(...this.loadBalancerWidgets());
    this.dashboard.addWidgets(...this.serviceWidgets());
    this.dashboard.addWidgets(...this.proxyWidgets());
    this.dashboard.addWidgets(...this.latticeWidgets());
    this.createAlarms();
  }

  private createTopic(): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `lattice-ingress ${this.props.environmentName} alarms`,
      enforceSSL: true,
    });
    acknowledge(
      topic,
      'Alarm notifications carry no data beyond the alarm itself; CloudWatch cannot publish to a topic encrypted ' +
        'with the AWS-managed SNS key, and a customer key only for this would add cost without protecting anything.',
      'AwsSolutions-SNS2',
    );
    return topic;
  }

  private createMetricFilters(): Record<keyof typeof LOG_METRICS, cloudwatch.Metric> {
    const namespace = metricNamespace(this.props.environmentName);
    const entries = Object.entries(LOG_METRICS).map(([key, metric]: [string, LogMetric]) => {
      new logs.MetricFilter(this, `${metric.name}Filter`, {
        logGroup: this.props.logGroup,
        metricNamespace: namespace,
        metricName: metric.name,
        filterPattern: logs.FilterPattern.literal(metricFilterPattern(metric.filter)),
        metricValue: metric.value ? `$.${metric.value}` : '1',
        unit: metric.unit === 'Seconds' ? cloudwatch.Unit.SECONDS : cloudwatch.Unit.COUNT,
        // Counts report 0 when nothing matched, so an alarm sees a quiet period as 0 rather than as missing data.
        defaultValue: metric.value ? undefined : 0,
      });
      const cloudwatchMetric = new cloudwatch.Metric({
        namespace,
        metricName: metric.name,
        statistic: metric.value ? 'Average' : 'Sum',
        period: DASHBOARD_PERIOD,
      });
      return [key, cloudwatchMetric] as const;
    });
    return Object.fromEntries(entries) as Record<keyof typeof LOG_METRICS, cloudwatch.Metric>;
  }

  private saveQueries(): void {
    for (const [key, query] of Object.entries(LOG_QUERIES) as [string, LogQuery][]) {
      const logGroup = query.logGroup === 'flowLogs' ? this.props.flowLogGroup : this.props.logGroup;
      new logs.CfnQueryDefinition(this, `Query${key.charAt(0).toUpperCase()}${key.slice(1)}`, {
        name: `lattice-ingress-${this.props.environmentName}/${query.name}`,
        queryString: queryText(query),
        logGroupNames: [logGroup.logGroupName],
      });
    }
  }

  private loadBalancerWidgets(): cloudwatch.IWidget[] {
    return this.props.loadBalancers.flatMap(({ exposure, loadBalancer, targetGroups }) => {
      const m = loadBalancer.metrics;
      const graph = (title: string, metrics: cloudwatch.IMetric[]) =>
        new cloudwatch.GraphWidget({ title: `NLB ${exposure}: ${title}`, left: metrics, width: 6 });
      const per = (metric: cloudwatch.Metric) => metric.with({ period: DASHBOARD_PERIOD });
      return [
        graph('flows', [
          per(m.activeFlowCount({ label: 'active flows', statistic: 'Average' })),
          per(m.newFlowCount({ label: 'new flows' })),
        ]),
        graph('processed bytes', [per(m.processedBytes({ label: 'bytes' }))]),
        graph('TCP resets', [
          per(m.tcpClientResetCount({ label: 'client resets' })),
          per(m.tcpTargetResetCount({ label: 'target resets' })),
        ]),
        graph(
          'healthy and unhealthy hosts',
          targetGroups.flatMap(({ containerPort, targetGroup }) => [
            per(
              targetGroup.metrics.healthyHostCount({
                label: `healthy (${containerPort})`,
                statistic: 'Minimum',
              }),
            ),
            per(
              targetGroup.metrics.unHealthyHostCount({
                label: `unhealthy (${containerPort})`,
                statistic: 'Maximum',
              }),
            ),
          ]),
        ),
      ];
    });
  }

  /** Container Insights metrics of the service (the cluster has Container Insights on). */
  private insights(metricName: string, label: string): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensionsMap: {
        ClusterName: this.props.cluster.clusterName,
        ServiceName: this.props.service.serviceName,
      },
      statistic: 'Average',
      period: DASHBOARD_PERIOD,
      label,
    });
  }

  private serviceWidgets(): cloudwatch.IWidget[] {
    const { service } = this.props;
    return [
      new cloudwatch.GraphWidget({
        title: 'ECS: CPU and memory (%)',
        left: [
          service.metricCpuUtilization({ label: 'CPU', period: DASHBOARD_PERIOD }),
          service.metricMemoryUtilization({ label: 'memory', period: DASHBOARD_PERIOD }),
        ],
        leftAnnotations: [{ value: this.props.cpuAlarmPercent, label: 'CPU alarm at maxTasks' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'ECS: running against desired tasks',
        left: [
          this.insights('RunningTaskCount', 'running'),
          this.insights('DesiredTaskCount', 'desired'),
          this.insights('PendingTaskCount', 'pending'),
        ],
        leftAnnotations: [{ value: this.props.maxTasks, label: 'maxTasks' }],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'ECS: deployments',
        left: [this.insights('DeploymentCount', 'deployments')],
        width: 8,
      }),
    ];
  }

  private proxyWidgets(): cloudwatch.IWidget[] {
    const m = (key: keyof typeof LOG_METRICS) =>
      this.logMetrics[key].with({ label: LOG_METRICS[key].description });
    return [
      new cloudwatch.GraphWidget({
        title: 'Proxy: requests and connections by status class',
        left: [m('status2xx'), m('status4xx'), m('status5xx')],
        stacked: true,
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Proxy: refusals',
        left: [
          m('refusedOffList'),
          m('refusedNotGranted'),
          m('refusedUnknownName'),
          m('refusedTls'),
          m('refusals'),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Proxy: upstream errors',
        left: [m('upstreamErrors')],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Proxy: HTTP request time (s)',
        left: [
          m('httpRequestTime'),
          this.logMetrics.httpRequestTime.with({ statistic: 'Maximum', label: 'maximum' }),
        ],
        width: 6,
      }),
    ];
  }

  /**
   * Lattice publishes a service's metrics in the account that owns the service. A search by the service ID finds
   * them whatever dimensions they carry and whether those hold the ID or the ARN, and stays empty for services
   * owned elsewhere.
   */
  private latticeWidgets(): cloudwatch.IWidget[] {
    return this.props.latticeServices.flatMap((service) => {
      const id = latticeServiceId(service);
      if (!id) return [];
      return LATTICE_METRICS.map(
        (metric) =>
          new cloudwatch.GraphWidget({
            title: `Lattice ${service.name}: ${metric.label}`,
            left: [
              new cloudwatch.MathExpression({
                expression: `SEARCH('Namespace="AWS/VpcLattice" MetricName="${metric.name}" ${id}', '${metric.statistic}', 60)`,
                usingMetrics: {},
                label: metric.label,
                period: DASHBOARD_PERIOD,
              }),
            ],
            width: 6,
          }),
      );
    });
  }

  private createAlarms(): void {
    const { alarms, loadBalancers, cpuAlarmPercent, maxTasks } = this.props;
    for (const { exposure, targetGroups } of loadBalancers) {
      for (const { containerPort, targetGroup } of targetGroups) {
        this.alarm(`NoHealthyTarget${capitalize(exposure)}${containerPort}`, {
          alarmDescription: `No healthy proxy task behind the ${exposure} NLB's ${containerPort === PROXY_CONTAINER_PORTS.tls ? 'TLS' : 'HTTP'} target group (docs/operations.md#no-healthy-target)`,
          metric: targetGroup.metrics.healthyHostCount({ statistic: 'Minimum', period: Duration.minutes(1) }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: alarms.noHealthyTargetMinutes,
          // A target group that reports nothing has nothing healthy in it either.
          treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        });
      }
    }
    this.alarm('BelowDesired', {
      alarmDescription: 'Fewer proxy tasks run than desired (docs/operations.md#below-desired)',
      metric: new cloudwatch.MathExpression({
        expression: 'desired - running',
        usingMetrics: {
          desired: this.insights('DesiredTaskCount', 'desired'),
          running: this.insights('RunningTaskCount', 'running'),
        },
        label: 'tasks missing',
        period: Duration.minutes(1),
      }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: alarms.belowDesiredMinutes,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.alarm('CpuAtMaximum', {
      alarmDescription: `CPU above ${cpuAlarmPercent}% while running maxTasks (${maxTasks}): scaling can add no more (docs/operations.md#cpu-at-maximum)`,
      metric: new cloudwatch.MathExpression({
        // Zero below maxTasks: then target tracking is still adding tasks, and high CPU is its job.
        expression: `IF(running >= ${maxTasks}, cpu, 0)`,
        usingMetrics: {
          running: this.insights('RunningTaskCount', 'running'),
          cpu: this.props.service.metricCpuUtilization({ period: Duration.minutes(1) }),
        },
        label: 'CPU at maxTasks',
        period: Duration.minutes(1),
      }),
      threshold: cpuAlarmPercent,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: alarms.cpuMinutes,
      treatMissingData: cloudwatch.TreatMissingData.MISSING,
    });
    this.alarm('UpstreamErrors', {
      alarmDescription: `At least ${alarms.upstreamErrorsPer5Minutes} forwarded requests or connections failed with 5xx in 5 minutes (docs/operations.md#upstream-errors)`,
      metric: this.logMetrics.upstreamErrors.with({ period: LOG_ALARM_PERIOD }),
      threshold: alarms.upstreamErrorsPer5Minutes,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarm('RefusalSpike', {
      alarmDescription: `At least ${alarms.refusalsPer5Minutes} refusals in 5 minutes: a scan or a misconfigured client (docs/operations.md#refusal-spike)`,
      metric: this.logMetrics.refusals.with({ period: LOG_ALARM_PERIOD }),
      threshold: alarms.refusalsPer5Minutes,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private alarm(id: string, props: Omit<cloudwatch.AlarmProps, 'alarmName'>): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      ...props,
      alarmName: `lattice-ingress-${this.props.environmentName}-${id}`,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
