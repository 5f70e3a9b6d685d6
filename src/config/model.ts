// The configuration model: the four files in config/ and the types everything else consumes.
//
// Every string that can reach the rendered NGINX configuration is constrained here to a charset that cannot
// carry NGINX syntax (no whitespace, quotes, `;`, `{`, `}`, `$`, `#`, `\`), so the renderer never has to escape.
// Checks that need more than one value (overlaps, cross-file references) live in ./rules.
import { z } from 'zod';

/** Lowercase DNS name: labels of [a-z0-9-], no leading/trailing hyphen, 253 characters at most. */
export const DNS_NAME =
  /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** Lattice-generated service DNS name, e.g. orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws */
export const LATTICE_DNS_NAME =
  /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.[a-z0-9]{1,63}\.vpc-lattice-svcs\.(?<region>[a-z]{2}(?:-[a-z]+)+-\d)\.on\.aws$/;
export const SERVICE_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
export const AWS_REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;
export const AWS_ACCOUNT = /^\d{12}$/;
/**
 * Human text (descriptions): one line of letters (ASCII and the Latin accented ones, as in Müller or Łukasz),
 * digits, apostrophes and plain punctuation. It never reaches the NGINX config, and stays inert where it does go:
 * Markdown tables and code spans of the plan (no `|`, `<`, `>`, backticks) and annotations (no line breaks).
 * No Unicode property classes: the pattern is also the JSON Schema editors check against.
 */
export const SAFE_TEXT = /^[A-Za-z0-9\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F '’#.,:()/@&+_-]{1,200}$/;
/** The characters a CIDR can be written with; the full check (canonical form, prefix range) is in ./cidr. */
export const CIDR_TEXT = /^[0-9A-Fa-f.:]{2,39}\/\d{1,3}$/;
export const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** URL path for smoke checks: absolute, no query, no encoded or NGINX-significant characters. */
export const URL_PATH = /^\/[A-Za-z0-9._~/-]{0,255}$/;
export const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
export const SERVICE_NETWORK_ID = /^sn-[0-9a-f]{17}$/;
/** A service network by ARN: required when it is shared from another account through AWS RAM. */
export const SERVICE_NETWORK_ARN =
  /^arn:aws[a-z-]*:vpc-lattice:(?<region>[a-z]{2}(?:-[a-z]+)+-\d):\d{12}:servicenetwork\/sn-[0-9a-f]{17}$/;
/** A service network by ID, or by ARN when it is shared from another account. */
export const SERVICE_NETWORK = new RegExp(`${SERVICE_NETWORK_ID.source}|${SERVICE_NETWORK_ARN.source}`);
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
/** Availability Zone ID, the same physical zone in every account, e.g. euw1-az1. */
export const AZ_ID = /^[a-z]{2,4}\d-az\d{1,2}$/;
export const SNS_TOPIC_ARN =
  /^arn:aws[a-z-]*:sns:(?<region>[a-z]{2}(?:-[a-z]+)+-\d):(?<account>\d{12}):[A-Za-z0-9_-]{1,256}$/;

/**
 * Zones VPC Lattice does not support (Amazon VPC Lattice User Guide, Quotas / supported Availability Zones): a proxy
 * subnet there could not reach the service network.
 */
export const LATTICE_UNSUPPORTED_ZONE_IDS = [
  'use1-az3',
  'usw1-az2',
  'apne1-az3',
  'apne2-az2',
  'euc1-az2',
  'euw1-az4',
  'cac1-az3',
  'ilc1-az2',
] as const;
/** Three zones times two tiers take six of eight equal slices of the VPC: every subnet is this many bits longer. */
export const SUBNET_PREFIX_BITS = 3;
/** Addresses a service-network endpoint takes in each subnet: a contiguous /28 (AWS PrivateLink Guide). */
export const SERVICE_NETWORK_ENDPOINT_ADDRESSES = 16;
export const TRANSIT_GATEWAY_ID = /^tgw-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;

const serviceNetwork = (what: string) =>
  z.string().regex(SERVICE_NETWORK, {
    error: `${what} is a service network ID such as sn-0123456789abcdef0, or (for a network shared from another account) its ARN, arn:aws:vpc-lattice:<region>:<account>:servicenetwork/sn-0123456789abcdef0`,
  });

const text = (what: string) =>
  z.string().regex(SAFE_TEXT, {
    error: `${what} must be one line of 1-200 letters, digits, spaces and ' # . , : ( ) / @ & + _ -`,
  });

const cidr = (what: string, example: string) =>
  z
    .string()
    .regex(CIDR_TEXT, { error: `${what} must be an IP network written address/prefix, e.g. ${example}` });

/** Lowercase DNS name, with specific messages for the usual mistakes (wildcards, capitals, a trailing dot). */
const dnsName = (what: string, example: string) =>
  z
    .string()
    .refine((s) => !s.includes('*'), {
      error: `${what} cannot be a wildcard: the proxy forwards only names listed here; list each name`,
      abort: true,
    })
    .refine((s) => s === s.toLowerCase(), { error: `${what} must be lowercase`, abort: true })
    .refine((s) => !s.endsWith('.'), { error: `${what} must not end with a dot`, abort: true })
    .regex(DNS_NAME, { error: `${what} must be a lowercase DNS name such as ${example}` });

export const PORTS = [80, 443] as const;
export type Port = (typeof PORTS)[number];

/** Per client address and task; a client behind a NAT pool needs an override (connectionsPerClient on its entry). */
export const DEFAULT_CONNECTIONS_PER_CLIENT = 512;
/** Each proxied connection takes two of a worker's 8192 connections: a higher limit would never apply. */
export const MAX_CONNECTIONS_PER_CLIENT = 4096;
const connectionLimit = z
  .number()
  .int({ error: 'connectionsPerClient must be a whole number' })
  .min(1, { error: 'connectionsPerClient must be at least 1' })
  .max(MAX_CONNECTIONS_PER_CLIENT, {
    error: `connectionsPerClient can be at most ${MAX_CONNECTIONS_PER_CLIENT}: a task cannot hold more per client`,
  });

// ---- allowlist.yaml --------------------------------------------------------------------------------------------

export const AllowlistEntrySchema = z.strictObject({
  cidr: cidr('cidr', '198.51.100.0/24').describe(
    'Client network in canonical CIDR form, IPv4 (198.51.100.0/24) or IPv6 (2001:db8::/32).',
  ),
  description: text('description').describe('Who this range belongs to and why it is allowed.'),
  expires: z
    .string()
    .regex(ISO_DATE, { error: 'expires must be a date written YYYY-MM-DD' })
    .optional()
    .describe('Last day (UTC) the entry is valid; expired entries fail validation, and warn 14 days ahead.'),
  services: z
    .array(
      z
        .string()
        .regex(SERVICE_NAME, { error: 'services lists service names of services.yaml, such as orders' }),
    )
    .min(1, { error: 'services must name at least one service; omit it to allow every service' })
    .optional()
    .describe('Services these clients may reach (names from services.yaml). Omit to allow every service.'),
  connectionsPerClient: connectionLimit
    .optional()
    .describe(
      "Overrides the allowlist's connectionsPerClient for these clients (a NAT pool, a busy partner).",
    ),
});

export const AllowlistSchema = z
  .strictObject({
    connectionsPerClient: connectionLimit
      .optional()
      .describe(
        `Connections one client address may hold open at once, per proxy task (TLS connections; HTTP requests in progress). Default ${DEFAULT_CONNECTIONS_PER_CLIENT}.`,
      ),
    allowAnyAddress: z
      .boolean()
      .default(false)
      .describe(
        'Must be true for 0.0.0.0/0 or ::/0 to be accepted: an explicit acknowledgement of an open proxy.',
      ),
    entries: z
      .array(AllowlistEntrySchema)
      .describe('Client networks allowed through the proxy; everything else is refused.'),
  })
  .describe(
    'Who may connect through the proxy (checked against the client address from the PROXY protocol header).',
  );

// ---- services.yaml ---------------------------------------------------------------------------------------------

export const ServiceSchema = z.strictObject({
  name: z
    .string()
    .regex(SERVICE_NAME, { error: 'name must be 2-40 characters of a-z, 0-9 and -, starting with a letter' })
    .describe('Short identifier used in logs, metrics and commands.'),
  domain: dnsName('domain', 'orders.example.com').describe(
    'The name clients use: TLS SNI on 443 and Host header on 80.',
  ),
  latticeDomain: z
    .string()
    .regex(LATTICE_DNS_NAME, {
      error:
        'latticeDomain must be a Lattice-generated name such as orders-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
    })
    .optional()
    .describe(
      'The Lattice-generated DNS name to forward to. Omit when clients use that name directly as domain.',
    ),
  serviceNetwork: serviceNetwork('serviceNetwork')
    .optional()
    .describe(
      "The service network the service is in, when it is not the one the ingress VPC is associated with: a network listed in every environment's serviceNetworkEndpoints.",
    ),
  endpointDomains: z
    .array(
      z.strictObject({
        environment: z
          .string()
          .regex(ENVIRONMENT_NAME, { error: 'environment is an environment name of deployment.yaml' }),
        domain: dnsName(
          'domain',
          'vpce-0123456789abcdef0-snsa-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
        ),
      }),
    )
    .min(1)
    .optional()
    .describe(
      "Per environment, the name the service has through that environment's service-network endpoint (DnsEntry.DnsName of aws ec2 describe-vpc-endpoint-associations). Not needed when the forwarded name is a custom domain the endpoint's private DNS resolves.",
    ),
  ports: z
    .array(z.union([z.literal(80), z.literal(443)], { error: 'ports may only be 80 (HTTP) and 443 (TLS)' }))
    .min(1)
    .default([443])
    .describe('Listener ports the service is reachable on through the proxy.'),
  auth: z
    .enum(['iam', 'none'])
    .default('iam')
    .describe('Lattice auth type: iam requests are SigV4-signed by clients.'),
  smoke: z
    .strictObject({
      path: z
        .string()
        .regex(URL_PATH, { error: 'smoke.path must be an absolute path like /health (no query string)' }),
      expect: z.number().int().min(100).max(599).default(200),
    })
    .default({ path: '/', expect: 200 })
    .describe('The request the post-deployment smoke test makes, and the status it expects.'),
});

export const ServicesSchema = z
  .strictObject({
    services: z
      .array(ServiceSchema)
      .describe('Lattice services published through the proxy. Nothing else is forwarded.'),
  })
  .describe('Which Lattice services the proxy forwards to, and under which names.');

// ---- scaling.yaml ----------------------------------------------------------------------------------------------

/** Fargate task sizes: CPU units -> allowed memory (MiB). */
export const FARGATE_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

export const ScalingSchema = z
  .strictObject({
    minTasks: z
      .number()
      .int()
      .min(1)
      .max(100)
      .describe('Never fewer tasks than this (use 2+ for availability).'),
    maxTasks: z.number().int().min(1).max(100).describe('Never more tasks than this.'),
    desiredTasks: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .describe('Initial task count; defaults to minTasks.'),
    cpuTargetPercent: z
      .number()
      .int()
      .min(10)
      .max(90)
      .default(60)
      .describe('Target average CPU for target tracking.'),
    scaleOutCooldownSeconds: z.number().int().min(0).max(3600).default(60),
    scaleInCooldownSeconds: z.number().int().min(0).max(3600).default(300),
    taskCpu: z
      .union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)], {
        error: 'taskCpu must be a Fargate CPU size: 256, 512, 1024, 2048 or 4096',
      })
      .default(512),
    taskMemoryMiB: z
      .number()
      .int()
      .min(512)
      .max(30720)
      .default(1024)
      .describe('Must be a valid Fargate memory size for taskCpu.'),
  })
  .describe('How many proxy tasks run and how large they are.');

// ---- deployment.yaml -------------------------------------------------------------------------------------------

export const HostedZoneSchema = z.strictObject({
  id: z
    .string()
    .regex(HOSTED_ZONE_ID, { error: 'id must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ' }),
  name: dnsName('name', 'example.com').describe('The zone apex.'),
});

const minutes = (what: string, fallback: number) =>
  z.number().int().min(1).max(60).default(fallback).describe(what);

export const AlarmsSchema = z
  .strictObject({
    topicArn: z
      .string()
      .regex(SNS_TOPIC_ARN, { error: 'topicArn looks like arn:aws:sns:eu-west-1:111122223333:ops-alerts' })
      .optional()
      .describe(
        "Existing SNS topic (in the environment's Region) the alarms notify; omit and the stack creates one.",
      ),
    noHealthyTargetMinutes: minutes('Minutes a target group may have no healthy target before it alarms.', 2),
    belowDesiredMinutes: minutes('Minutes fewer tasks than desired may run before it alarms.', 5),
    cpuPercent: z
      .number()
      .int()
      .min(20)
      .max(100)
      .optional()
      .describe(
        "Average CPU that alarms once the service runs maxTasks (scaling can add no more); defaults to scaling.yaml's cpuTargetPercent + 25, at most 100.",
      ),
    cpuMinutes: minutes('Minutes CPU may stay above cpuPercent at maxTasks before it alarms.', 10),
    upstreamErrorsPer5Minutes: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(25)
      .describe('Forwarded requests and connections failing with 5xx, per 5 minutes, that alarm.'),
    refusalsPer5Minutes: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(1000)
      .describe(
        'Refused requests and connections per 5 minutes that alarm (a scan, or a misconfigured client).',
      ),
  })
  .describe('Where the alarms notify and when they fire; every threshold has a default.');

export const EnvironmentSchema = z.strictObject({
  name: z
    .string()
    .regex(ENVIRONMENT_NAME, {
      error: 'name must be 2-24 characters of a-z, 0-9 and -, starting with a letter',
    })
    .describe('Environment name; also the GitHub deployment environment.'),
  account: z
    .string({ error: 'account must be a quoted 12-digit string, e.g. "111122223333"' })
    .regex(AWS_ACCOUNT, { error: 'account must be 12 digits, quoted' }),
  region: z.string().regex(AWS_REGION, { error: 'region must be an AWS Region code such as eu-west-1' }),
  availabilityZones: z
    .array(
      z
        .string()
        .regex(/^[a-z]{2}(?:-[a-z]+)+-\d[a-z]$/, { error: 'availability zone names look like eu-west-1a' }),
    )
    .length(3)
    .optional()
    .describe(
      'The three AZs to use; defaults to <region>a, b and c. Given explicitly so synth needs no lookup.',
    ),
  availabilityZoneIds: z
    .array(z.string().regex(AZ_ID, { error: 'availability zone IDs look like euw1-az1' }))
    .length(3)
    .optional()
    .describe(
      'The three zones by ID (e.g. euw1-az1), the same in every account; instead of availabilityZones. Zones VPC Lattice does not support are refused.',
    ),
  mode: z
    .enum(['public', 'private', 'both'])
    .describe(
      'public: internet-facing NLB; private: internal NLB (VPN, Direct Connect, peering); both: one of each.',
    ),
  vpcCidr: cidr('vpcCidr', '10.42.0.0/20').describe(
    'The ingress VPC CIDR (/16 to /24); subnets are derived from it.',
  ),
  serviceNetworkId: serviceNetwork('serviceNetworkId')
    .optional()
    .describe(
      'Lattice service network to associate the VPC with: its ID, or its ARN when it is shared from another account (AWS RAM). Omit to associate it outside this repository.',
    ),
  serviceNetworkEndpoints: z
    .array(serviceNetwork('serviceNetworkEndpoints[]'))
    .min(1, { error: 'serviceNetworkEndpoints lists further service networks; omit it when there is none' })
    .optional()
    .describe(
      'Further service networks the proxy reaches, each through a service-network VPC endpoint in the proxy subnets (a VPC can be associated with one network only): IDs, or ARNs for networks shared through AWS RAM.',
    ),
  directClients: z
    .strictObject({
      cidrs: z
        .array(cidr('directClients.cidrs[]', '10.0.0.0/8'))
        .min(1, { error: 'directClients.cidrs lists the client networks the endpoints admit' })
        .max(50, { error: 'directClients.cidrs takes at most 50 networks (security group rules)' })
        .describe(
          'Client networks (on-premises, peered VPCs, other Regions) the endpoints and the DNS resolver admit.',
        ),
      serviceNetworks: z
        .array(serviceNetwork('directClients.serviceNetworks[]'))
        .min(1, { error: 'directClients.serviceNetworks names the networks these clients reach' })
        .describe(
          'Service networks these clients reach through a service-network endpoint, without the proxy.',
        ),
    })
    .optional()
    .describe(
      'The native private path: service-network endpoints in the ingress VPC for clients outside it, and a Route 53 Resolver inbound endpoint for their DNS. Only a security group of these networks applies: no allowlist, per-service access, limits or proxy logs.',
    ),
  github: z.strictObject({
    repository: z
      .string()
      .regex(GITHUB_REPOSITORY, { error: 'repository must be owner/name' })
      .describe('The repository allowed to deploy (OIDC subject).'),
    environment: z
      .string()
      .regex(ENVIRONMENT_NAME, {
        error: 'github.environment must be 2-24 characters of a-z, 0-9 and -, starting with a letter',
      })
      .optional()
      .describe('GitHub environment; defaults to name.'),
    oidcProviderArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, {
        error:
          'oidcProviderArn looks like arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com',
      })
      .optional()
      .describe(
        "The account's existing GitHub OIDC provider to reuse; omit to create it in the Access stack.",
      ),
  }),
  hostedZones: z
    .strictObject({
      public: HostedZoneSchema.optional().describe('Public zone to publish service names at the public NLB.'),
      private: HostedZoneSchema.optional().describe(
        'Private zone to publish service names at the internal NLB.',
      ),
    })
    .optional(),
  exampleProvider: z
    .boolean()
    .default(false)
    .describe(
      'Also deploy an example Lattice service network and service, for trying the path in a sandbox.',
    ),
  ecsExec: z
    .boolean()
    .default(false)
    .describe('Enable ECS Exec into proxy tasks (adds the SSM messages endpoint).'),
  crossZoneLoadBalancing: z.boolean().default(true).describe('Spread NLB traffic across all AZs evenly.'),
  dualStack: z.boolean().default(false).describe('Give the VPC and load balancers IPv6 as well as IPv4.'),
  network: z
    .strictObject({
      transitGatewayId: z
        .string()
        .regex(TRANSIT_GATEWAY_ID, { error: 'transitGatewayId looks like tgw-0123456789abcdef0' })
        .describe(
          'Transit Gateway to attach the ingress VPC to (shared through RAM when in another account).',
        ),
      routes: z
        .array(cidr('network.routes[]', '10.0.0.0/8'))
        .min(1, { error: 'network.routes lists the client networks to route through the Transit Gateway' })
        .max(50, { error: 'network.routes takes at most 50 networks (the route table quota)' })
        .describe(
          'Client networks (on-premises, other VPCs) the proxy subnets route to the Transit Gateway.',
        ),
    })
    .optional()
    .describe(
      'Reach the internal load balancer over a Transit Gateway: attach the VPC and route these networks through it.',
    ),
  logRetentionDays: z
    .union(
      [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731].map((d) => z.literal(d)),
      {
        error:
          'logRetentionDays must be a CloudWatch Logs retention: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...',
      },
    )
    .default(90),
  alarms: AlarmsSchema.prefault({}),
  smokeRunner: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'smokeRunner is a runs-on label of a self-hosted runner' })
    .optional()
    .describe(
      'Label of a self-hosted runner whose address is on the allowlist; the allowed-path smoke test runs there.',
    ),
});

export const DeploymentSchema = z
  .strictObject({
    environments: z.array(EnvironmentSchema).min(1).describe('Where the fleet is deployed.'),
  })
  .superRefine(({ environments }, context) => {
    // A VPC can only be associated with a service network of its own Region; a shared network's ARN names it.
    environments.forEach((env, index) => {
      const networkRegion = serviceNetworkRegion(env.serviceNetworkId ?? '');
      if (networkRegion && networkRegion !== env.region) {
        context.addIssue({
          code: 'custom',
          path: ['environments', index, 'serviceNetworkId'],
          message: `serviceNetworkId names a service network in ${networkRegion}, but environment ${env.name} is in ${env.region}: a VPC can only be associated with a service network of its own Region, so share one in ${env.region} (AWS RAM) and use its ARN`,
        });
      }
    });
  })
  .describe('The AWS environments the proxy fleet is deployed to.');

export type AllowlistEntry = z.infer<typeof AllowlistEntrySchema>;
export type Allowlist = z.infer<typeof AllowlistSchema>;
export type Service = z.infer<typeof ServiceSchema>;
export type Services = z.infer<typeof ServicesSchema>;
export type Scaling = z.infer<typeof ScalingSchema>;
export type Environment = z.infer<typeof EnvironmentSchema>;
export type Deployment = z.infer<typeof DeploymentSchema>;
export type Alarms = z.infer<typeof AlarmsSchema>;

/** The whole configuration, as read from config/. */
export interface Config {
  allowlist: Allowlist;
  services: Services;
  scaling: Scaling;
  deployment: Deployment;
}

/** The four files, their schema and the key each becomes in Config. */
export const CONFIG_FILES = {
  allowlist: { file: 'allowlist.yaml', schema: AllowlistSchema },
  services: { file: 'services.yaml', schema: ServicesSchema },
  scaling: { file: 'scaling.yaml', schema: ScalingSchema },
  deployment: { file: 'deployment.yaml', schema: DeploymentSchema },
} as const;

export type ConfigPart = keyof typeof CONFIG_FILES;

/** The name Lattice knows the service by: latticeDomain, or domain when clients use the generated name directly. */
export function upstreamName(service: Service): string {
  return service.latticeDomain ?? service.domain;
}

/**
 * The name the proxy of one environment forwards to: the service's name through that environment's service-network
 * endpoint when one is given (endpointDomains), else upstreamName.
 */
export function upstreamNameIn(service: Service, environmentName: string): string {
  return endpointDomain(service, environmentName) ?? upstreamName(service);
}

/** The service's name through the endpoint of one environment, when endpointDomains gives one. */
export function endpointDomain(service: Service, environmentName: string): string | undefined {
  return service.endpointDomains?.find((entry) => entry.environment === environmentName)?.domain;
}

/** The sn-… ID of a service network named by ID or by ARN. */
export function serviceNetworkIdOf(network: string): string {
  return network.slice(network.lastIndexOf('/') + 1);
}

/** The Region an ARN names; an ID names none (it is looked up in the environment's own Region). */
export function serviceNetworkRegion(network: string): string | undefined {
  return SERVICE_NETWORK_ARN.exec(network)?.groups?.region;
}

/** How an environment reaches a service network: its VPC association, an endpoint, or not at all. */
export function serviceNetworkPath(
  env: Environment,
  network: string,
): 'association' | 'endpoint' | undefined {
  const id = serviceNetworkIdOf(network);
  if (env.serviceNetworkId !== undefined && serviceNetworkIdOf(env.serviceNetworkId) === id)
    return 'association';
  return (env.serviceNetworkEndpoints ?? []).some((listed) => serviceNetworkIdOf(listed) === id)
    ? 'endpoint'
    : undefined;
}

/** The availability zones an environment uses, without any lookup. */
export function availabilityZones(env: Environment): string[] {
  return env.availabilityZones ?? ['a', 'b', 'c'].map((suffix) => `${env.region}${suffix}`);
}

/** The CPU alarm threshold: the configured one, or far enough above the scaling target not to fire while scaling. */
export function cpuAlarmPercent(alarms: Alarms, scaling: Scaling): number {
  return alarms.cpuPercent ?? Math.min(100, scaling.cpuTargetPercent + 25);
}

export function githubEnvironment(env: Environment): string {
  return env.github.environment ?? env.name;
}
