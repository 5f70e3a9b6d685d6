// What the proxy's JSON access log says (proxy/templates/nginx.conf.hbs, the lattice_http_* and lattice_tls_* formats)
// and the filters over it: one definition per filter, rendered both as a CloudWatch metric filter pattern and as a
// Logs Insights filter, so the dashboard, the alarms, the saved queries and docs/operations.md agree. The VPC flow
// logs answer for the clients dropped before the proxy (security group, network ACL): their queries live here too.

/** The `outcome` field: what became of a request (HTTP) or connection (TLS). */
export const OUTCOMES = {
  served: 'served',
  /** The client address is on no allowlist entry. */
  offList: 'refused-off-list',
  /** The client is listed, but its entry does not grant the service the Host or SNI names. */
  notGranted: 'refused-not-granted',
  unknownName: 'refused-unknown-name',
  limit: 'refused-limit',
} as const;
export const REFUSALS = [
  OUTCOMES.offList,
  OUTCOMES.notGranted,
  OUTCOMES.unknownName,
  OUTCOMES.limit,
] as const;

/** One comparison on a top-level field of a log line; a filter holds when all of its conditions do. */
export type Condition =
  | { field: string; op: '=' | '!=' | '>=' | '<' | '>'; value: string | number }
  | { field: string; oneOf: readonly string[] };
export type Filter = readonly Condition[];

const literal = (value: string | number) =>
  typeof value === 'number' ? String(value) : JSON.stringify(value);

/** The filter as a CloudWatch Logs JSON metric filter pattern, e.g. `{ ($.listener = "http") && ($.status >= 500) }`. */
export function metricFilterPattern(filter: Filter): string {
  const term = (condition: Condition) =>
    'oneOf' in condition
      ? `(${condition.oneOf.map((value) => `$.${condition.field} = ${literal(value)}`).join(' || ')})`
      : `($.${condition.field} ${condition.op} ${literal(condition.value)})`;
  return `{ ${filter.map(term).join(' && ')} }`;
}

/** The filter as the expression of a Logs Insights `filter` command. */
export function insightsFilter(filter: Filter): string {
  const term = (condition: Condition) =>
    'oneOf' in condition
      ? `${condition.field} in [${condition.oneOf.map(literal).join(', ')}]`
      : `${condition.field} ${condition.op} ${literal(condition.value)}`;
  return filter.map(term).join(' and ');
}

/** Whether a parsed log line passes the filter: the meaning both renderings have in CloudWatch. */
export function matches(filter: Filter, line: Readonly<Record<string, unknown>>): boolean {
  return filter.every((condition) => {
    const actual = line[condition.field];
    if ('oneOf' in condition) return typeof actual === 'string' && condition.oneOf.includes(actual);
    // CloudWatch compares numbers with numbers and strings with strings; a field of the other type never matches.
    if (typeof actual !== typeof condition.value) return false;
    return COMPARE[condition.op](actual as string | number, condition.value);
  });
}

const COMPARE: Record<'=' | '!=' | '>=' | '<' | '>', (a: string | number, b: string | number) => boolean> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '>=': (a, b) => a >= b,
  '>': (a, b) => a > b,
  '<': (a, b) => a < b,
};

const http: Condition = { field: 'listener', op: '=', value: 'http' };
const tls: Condition = { field: 'listener', op: '=', value: 'tls' };
const outcome = (value: string): Condition => ({ field: 'outcome', op: '=', value });
const refused: Condition = { field: 'outcome', oneOf: REFUSALS };
const statusFrom = (low: number, high: number): Condition[] => [
  { field: 'status', op: '>=', value: low },
  { field: 'status', op: '<', value: high },
];

/** A count (or, with `value`, a sum of a field) published by a metric filter on the proxy log group. */
export interface LogMetric {
  name: string;
  filter: Filter;
  /** The numeric field published per matching line; each line counts 1 when absent. */
  value?: string;
  unit: 'Count' | 'Seconds';
  description: string;
}

export const LOG_METRICS = {
  status2xx: {
    name: 'Status2xx',
    filter: statusFrom(200, 300),
    unit: 'Count',
    description: 'requests and connections with status 2xx',
  },
  status4xx: {
    name: 'Status4xx',
    filter: statusFrom(400, 500),
    unit: 'Count',
    description: 'requests and connections with status 4xx (refusals included)',
  },
  status5xx: {
    name: 'Status5xx',
    filter: statusFrom(500, 600),
    unit: 'Count',
    description: 'requests and connections with status 5xx (upstream errors and limits)',
  },
  refusedOffList: {
    name: 'RefusedOffList',
    filter: [outcome(OUTCOMES.offList)],
    unit: 'Count',
    description: 'refused: client address not on the allowlist (HTTP 403, TLS closed)',
  },
  refusedNotGranted: {
    name: 'RefusedNotGranted',
    filter: [outcome(OUTCOMES.notGranted)],
    unit: 'Count',
    description: 'refused: a listed client, for a service its entry does not grant (HTTP 403, TLS closed)',
  },
  refusedUnknownName: {
    name: 'RefusedUnknownName',
    filter: [outcome(OUTCOMES.unknownName)],
    unit: 'Count',
    description: 'refused: Host (HTTP 421) or SNI (TLS closed) names no configured service',
  },
  refusedTls: {
    name: 'RefusedTls',
    filter: [tls, refused],
    unit: 'Count',
    description: 'TLS connections refused, for any reason',
  },
  refusals: {
    name: 'Refusals',
    filter: [refused],
    unit: 'Count',
    description: 'every refusal, HTTP and TLS',
  },
  upstreamErrors: {
    name: 'UpstreamErrors',
    filter: [outcome(OUTCOMES.served), { field: 'status', op: '>=', value: 500 }],
    unit: 'Count',
    description: 'forwarded, but Lattice failed or was unreachable (502, 504)',
  },
  httpRequestTime: {
    name: 'HttpRequestTime',
    filter: [http, outcome(OUTCOMES.served)],
    value: 'request_time',
    unit: 'Seconds',
    description: 'seconds per forwarded HTTP request, first byte in to last byte out',
  },
} as const satisfies Record<string, LogMetric>;

/** A Logs Insights query over the proxy log group: the filter plus what to show of the matching lines. */
export interface LogQuery {
  /** Saved under this name (below the environment's folder) and shown as a heading in docs/operations.md. */
  name: string;
  /** The log group it runs on: the proxy's (the default) or the VPC flow logs. */
  logGroup?: 'flowLogs';
  /** Commands before the filter (usually `fields ...`). */
  before?: string;
  filter: Filter;
  /** Commands after the filter (stats, sort, limit). */
  after: string[];
}

/** The address in the saved "one client" query; the operator replaces it before running the query. */
export const EXAMPLE_CLIENT = '198.51.100.7';

export const LOG_QUERIES = {
  topRefusedClients: {
    name: 'Top refused client addresses',
    before: 'fields client, outcome, service',
    filter: [refused],
    after: ['stats count(*) as refusals by client, outcome', 'sort refusals desc', 'limit 50'],
  },
  latencyPerService: {
    name: 'Latency percentiles per service (HTTP)',
    filter: [http, outcome(OUTCOMES.served)],
    after: [
      'stats pct(request_time, 50) as p50, pct(request_time, 90) as p90, pct(request_time, 99) as p99, count(*) as requests by service',
    ],
  },
  oneClient: {
    name: 'Every request of one client',
    before:
      'fields @timestamp, listener, service, outcome, status, host, sni, path, request_time, session_time, upstream',
    filter: [{ field: 'client', op: '=', value: EXAMPLE_CLIENT }],
    after: ['sort @timestamp desc', 'limit 1000'],
  },
  refusedHosts: {
    name: 'Host names refused with 421',
    before: 'fields host, client',
    filter: [http, { field: 'status', op: '=', value: 421 }],
    after: ['stats count(*) as refusals by host', 'sort refusals desc', 'limit 100'],
  },
  unknownNames: {
    name: 'Unknown names, HTTP and TLS',
    before: 'fields listener, host, sni, client',
    filter: [outcome(OUTCOMES.unknownName)],
    after: ['stats count(*) as refusals by listener, host, sni, client', 'sort refusals desc', 'limit 100'],
  },
  upstreamErrors: {
    name: 'Upstream errors',
    before: 'fields @timestamp, listener, service, status, upstream, upstream_status, upstream_connect_time',
    filter: LOG_METRICS.upstreamErrors.filter,
    after: ['sort @timestamp desc', 'limit 100'],
  },
  notGranted: {
    name: 'Listed clients refused a service their entry does not grant',
    before: 'fields client, service, listener',
    filter: [outcome(OUTCOMES.notGranted)],
    after: ['stats count(*) as refusals by client, service, listener', 'sort refusals desc', 'limit 100'],
  },
  outcomesPerService: {
    name: 'Requests per service and outcome, per 5 minutes',
    filter: [{ field: 'listener', oneOf: ['http', 'tls'] }],
    after: ['stats count(*) as requests by bin(5m), service, outcome'],
  },
  refusedOneClient: {
    name: 'Why one client was refused by the proxy',
    before: 'fields @timestamp, listener, outcome, service, host, sni, status',
    filter: [{ field: 'client', op: '=', value: EXAMPLE_CLIENT }, refused],
    after: [
      'stats count(*) as refusals, latest(@timestamp) as last by outcome, listener, service, host, sni',
      'sort last desc',
    ],
  },
  flowsOneClient: {
    name: 'Flows of one client, accepted and rejected (security group, network ACL)',
    logGroup: 'flowLogs',
    before: 'fields @timestamp, action, srcAddr, dstAddr, dstPort, interfaceId',
    filter: [{ field: 'srcAddr', op: '=', value: EXAMPLE_CLIENT }],
    after: [
      'stats count(*) as flows, latest(@timestamp) as last by action, dstAddr, dstPort, interfaceId',
      'sort last desc',
    ],
  },
} as const satisfies Record<string, LogQuery>;

/** The query text, one command per line, as saved and as shown in docs/operations.md. */
export function queryText(query: LogQuery): string {
  return [query.before, `filter ${insightsFilter(query.filter)}`, ...query.after]
    .filter((line) => line !== undefined)
    .join('\n| ');
}
