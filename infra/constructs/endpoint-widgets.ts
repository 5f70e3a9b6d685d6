// Dashboard row for the service-network endpoints: traffic and drops per endpoint. PrivateLink publishes endpoint
// metrics in the AWS/PrivateLinkEndpoints namespace (BytesProcessed, NewConnections, ActiveConnections,
// PacketsDropped); the dimension set a service-network endpoint reports under could not be checked offline, so each
// graph finds the endpoint's metrics by its ID with a search expression and stays empty if there are none.
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { CreatedEndpoint } from './service-network-endpoints.ts';

const ENDPOINT_METRICS = [
  { name: 'BytesProcessed', statistic: 'Sum', title: 'bytes' },
  { name: 'NewConnections', statistic: 'Sum', title: 'new connections' },
  { name: 'PacketsDropped', statistic: 'Sum', title: 'packets dropped' },
] as const;

export function serviceNetworkEndpointWidgets(endpoints: readonly CreatedEndpoint[]): cloudwatch.IWidget[] {
  return ENDPOINT_METRICS.map(
    (metric) =>
      new cloudwatch.GraphWidget({
        title: `Service-network endpoints: ${metric.title}`,
        width: 8,
        left: endpoints.map(
          ({ networkId, endpoint }) =>
            new cloudwatch.MathExpression({
              expression: `SEARCH('Namespace="AWS/PrivateLinkEndpoints" MetricName="${metric.name}" "${endpoint.ref}"', '${metric.statistic}', 60)`,
              label: networkId,
              period: Duration.minutes(1),
            }),
        ),
      }),
  );
}
