// The Ingress stack per mode: network, load balancers, security groups, proxy service, Lattice association, DNS.
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { REVOCATION_RULES } from '../../src/access/revocation.ts';
import type { Environment } from '../../src/config/model.ts';
import { configTag, gitTag, IMAGE_TAG_PARAMETER, IMAGE_TAG_PATTERN } from '../../src/contract/image-tags.ts';
import { stackNames } from '../../src/contract/names.ts';
import { INGRESS_OUTPUTS } from '../../src/contract/outputs.ts';
import { HEALTH_CHECK_PATH, PROXY_CONTAINER_PORTS } from '../../src/contract/proxy-container.ts';
import { MAIN_FILE, renderProxy, renderTargetFor } from '../../src/render/render.ts';
import { PREFIX_LIST_MAX_ENTRIES } from '../constructs/client-sources.ts';
import { LOAD_BALANCER_CONTAINER_PORTS } from '../constructs/ingress-load-balancers.ts';
import { CONTAINER_HEALTH_CHECK, PROXY_USER, WRITABLE_PATHS } from '../constructs/proxy-service.ts';
import { REVOCATION_ACL_TAG } from '../constructs/revocation-acl.ts';
import { ROLLOUT_SETTINGS } from '../rollout-settings.ts';
import {
  environment,
  exampleConfig,
  propertiesOf,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthesize,
  withEnvironments,
} from './fixtures.ts';

const ENVIRONMENTS = [
  environment({ name: 'pub', mode: 'public', vpcCidr: '10.50.0.0/20', crossZoneLoadBalancing: false }),
  environment({
    name: 'priv',
    mode: 'private',
    vpcCidr: '10.51.0.0/22',
    serviceNetworkId: 'sn-0123456789abcdef0',
    hostedZones: { private: { id: 'Z0PRIVATE0000000000', name: 'example.com' } },
  }),
  environment({
    name: 'both',
    mode: 'both',
    vpcCidr: '10.52.0.0/16',
    dualStack: true,
    ecsExec: true,
    logRetentionDays: 30,
    serviceNetworkId: 'sn-0fedcba9876543210',
    hostedZones: {
      public: { id: 'Z0PUBLIC00000000000', name: 'example.com' },
      private: { id: 'Z0PRIVATE0000000000', name: 'example.com' },
    },
  }),
];

let app: Synthesized;
const ingress = (name: string) => app.template(`LatticeIngress-${name}-Ingress`);

beforeAll(async () => {
  app = await synthesize(withEnvironments(await exampleConfig(), ENVIRONMENTS));
}, SYNTH_TIMEOUT_MS);

describe('network', () => {
  it('builds the VPC from the configured CIDR over the three configured zones, without NAT', () => {
    for (const [name, cidr] of [
      ['pub', '10.50.0.0/20'],
      ['priv', '10.51.0.0/22'],
      ['both', '10.52.0.0/16'],
    ]) {
      const template = ingress(name as string);
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: cidr });
      template.resourceCountIs('AWS::EC2::NatGateway', 0);
      const zones = resourcesOf(template, 'AWS::EC2::Subnet').map(([, p]) => p.AvailabilityZone);
      expect(new Set(zones)).toEqual(new Set(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']));
    }
  });

  it('derives the subnets from the VPC size: three per tier, eight slices of the VPC', () => {
    const cidrs = (name: string) =>
      resourcesOf(ingress(name), 'AWS::EC2::Subnet').map(([, p]) => p.CidrBlock as string);
    expect(cidrs('priv').sort()).toEqual(['10.51.0.0/25', '10.51.0.128/25', '10.51.1.0/25']);
    expect(cidrs('pub')).toHaveLength(6);
    expect(cidrs('pub').every((c) => c.endsWith('/23'))).toBe(true);
    expect(cidrs('both').every((c) => c.endsWith('/19'))).toBe(true);
  });

  it('creates public subnets and an internet gateway only when a public load balancer needs them', () => {
    const publicSubnets = (name: string) =>
      resourcesOf(ingress(name), 'AWS::EC2::Subnet').filter(
        ([, p]) => p.MapPublicIpOnLaunch === false && JSON.stringify(p.Tags).includes('"Public"'),
      );
    expect(publicSubnets('pub')).toHaveLength(3);
    expect(publicSubnets('both')).toHaveLength(3);
    expect(publicSubnets('priv')).toHaveLength(0);
    ingress('priv').resourceCountIs('AWS::EC2::InternetGateway', 0);
    ingress('pub').resourceCountIs('AWS::EC2::InternetGateway', 1);
  });

  it('has interface endpoints for ECR, ECR Docker and Logs, SSM messages only with ECS Exec, and the S3 gateway', () => {
    const services = (name: string) =>
      resourcesOf(ingress(name), 'AWS::EC2::VPCEndpoint').map(([, p]) => {
        // com.amazonaws.eu-west-1.ecr.api, or a join of com.amazonaws., the Region and .s3
        const parts = [...JSON.stringify(p.ServiceName).matchAll(/"([^"]*)"/g)].map((m) => m[1]);
        const service = (parts.at(-1) ?? '')
          .replace(/^com\.amazonaws\.(eu-west-1)?\.?/, '')
          .replace(/^\./, '');
        return [service, p.VpcEndpointType];
      });
    const expected = [
      ['ecr.api', 'Interface'],
      ['ecr.dkr', 'Interface'],
      ['logs', 'Interface'],
      ['s3', 'Gateway'],
    ];
    expect(services('pub').sort()).toEqual(expected);
    expect(services('both').sort()).toEqual([...expected, ['ssmmessages', 'Interface']].sort());
  });

  it('admits only HTTPS from the VPC CIDR to the endpoints', () => {
    const template = ingress('pub');
    const [endpointGroup] = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('VPC interface endpoints') },
      }),
    );
    const rules = resourcesOf(template, 'AWS::EC2::SecurityGroup')
      .filter(([id]) => id === endpointGroup)
      .flatMap(([, p]) => (p.SecurityGroupIngress ?? []) as object[]);
    expect(rules).toEqual([
      expect.objectContaining({ CidrIp: '10.50.0.0/20', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
  });

  it('gives the VPC IPv6 only when dual-stack is configured', () => {
    ingress('both').resourceCountIs('AWS::EC2::VPCCidrBlock', 1);
    ingress('pub').resourceCountIs('AWS::EC2::VPCCidrBlock', 0);
  });
});

describe('load balancers', () => {
  const schemes = (name: string) =>
    resourcesOf(ingress(name), 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(([, p]) => [
      p.Type,
      p.Scheme,
    ]);

  it('creates exactly the load balancers of each mode', () => {
    expect(schemes('pub')).toEqual([['network', 'internet-facing']]);
    expect(schemes('priv')).toEqual([['network', 'internal']]);
    expect(schemes('both').sort()).toEqual([
      ['network', 'internal'],
      ['network', 'internet-facing'],
    ]);
    expect(resourcesOf(ingress('both'), 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(4);
    expect(resourcesOf(ingress('pub'), 'AWS::ElasticLoadBalancingV2::TargetGroup')).toHaveLength(2);
  });

  it('puts the internet-facing NLB in public subnets and the internal one in the proxy subnets', () => {
    const template = ingress('both');
    for (const [, p] of resourcesOf(template, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
      const tier = p.Scheme === 'internet-facing' ? 'PublicSubnet' : 'ProxySubnet';
      for (const subnet of p.Subnets as { Ref: string }[]) expect(subnet.Ref).toContain(tier);
    }
  });

  it('configures IP target groups: TCP, PROXY v2, short draining with connection termination, HTTP health checks', () => {
    for (const [, p] of resourcesOf(ingress('both'), 'AWS::ElasticLoadBalancingV2::TargetGroup')) {
      expect(p).toMatchObject({
        TargetType: 'ip',
        Protocol: 'TCP',
        HealthCheckProtocol: 'HTTP',
        HealthCheckPort: String(PROXY_CONTAINER_PORTS.loadBalancerHealth),
        HealthCheckPath: HEALTH_CHECK_PATH,
        HealthCheckIntervalSeconds: 5,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 2,
      });
      expect([PROXY_CONTAINER_PORTS.http, PROXY_CONTAINER_PORTS.tls]).toContain(p.Port);
      const attributes = Object.fromEntries(
        (p.TargetGroupAttributes as { Key: string; Value: string }[]).map((a) => [a.Key, a.Value]),
      );
      expect(attributes).toMatchObject({
        'proxy_protocol_v2.enabled': 'true',
        'deregistration_delay.connection_termination.enabled': 'true',
        'preserve_client_ip.enabled': 'false',
      });
      const delay = Number(attributes['deregistration_delay.timeout_seconds']);
      expect(delay).toBeGreaterThanOrEqual(20);
      expect(delay).toBeLessThanOrEqual(30);
    }
  });

  it('health-checks the PROXY-protocol health port, never the container’s plain one (the checks carry a header)', async () => {
    // The NLB puts a PROXY v2 LOCAL header in front of its health checks once proxy protocol is on, so the port it
    // checks must be one nginx renders with proxy_protocol; the container's plain health port would read the
    // header as a bad request and fail every task.
    const conf =
      renderProxy(await exampleConfig(), renderTargetFor(ENVIRONMENTS[2] as Environment)).get(MAIN_FILE) ??
      '';
    const proxyProtocolPorts = [...conf.matchAll(/^\s*listen \S+:(\d+) proxy_protocol\b/gm)].map((m) =>
      Number(m[1]),
    );
    const checked = resourcesOf(ingress('both'), 'AWS::ElasticLoadBalancingV2::TargetGroup').map(([, p]) =>
      Number(p.HealthCheckPort),
    );
    expect(checked).toHaveLength(4);
    for (const port of checked) {
      expect(port).toBe(PROXY_CONTAINER_PORTS.loadBalancerHealth);
      expect(proxyProtocolPorts).toContain(port);
    }
    expect(checked).not.toContain(PROXY_CONTAINER_PORTS.health);
  });

  it('listens on TCP 80 -> 8080 and TCP 443 -> 8443 (TLS passes through)', () => {
    const template = ingress('pub');
    const groups = Object.fromEntries(resourcesOf(template, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
    const listeners = resourcesOf(template, 'AWS::ElasticLoadBalancingV2::Listener').map(([, p]) => {
      const action = (p.DefaultActions as { TargetGroupArn: { Ref: string } }[])[0];
      return [p.Port, p.Protocol, groups[action?.TargetGroupArn.Ref ?? '']?.Port];
    });
    expect(listeners.sort()).toEqual([
      [443, 'TCP', 8443],
      [80, 'TCP', 8080],
    ]);
  });

  it('sets cross-zone load balancing from the configuration', () => {
    const crossZone = (name: string) =>
      resourcesOf(ingress(name), 'AWS::ElasticLoadBalancingV2::LoadBalancer').map(
        ([, p]) =>
          (p.LoadBalancerAttributes as { Key: string; Value: string }[]).find(
            (a) => a.Key === 'load_balancing.cross_zone.enabled',
          )?.Value,
      );
    expect(crossZone('pub')).toEqual(['false']);
    expect(crossZone('priv')).toEqual(['true']);
  });

  it('admits clients on 80/443 through managed prefix lists mirroring the allowlist (IPv6 too when dual-stack)', () => {
    const template = ingress('both');
    const lists = resourcesOf(template, 'AWS::EC2::PrefixList');
    expect(lists.map(([, p]) => [p.AddressFamily, p.MaxEntries]).sort()).toEqual([
      ['IPv4', PREFIX_LIST_MAX_ENTRIES],
      ['IPv6', PREFIX_LIST_MAX_ENTRIES],
    ]);
    const ipv4 = lists.find(([, p]) => p.AddressFamily === 'IPv4')?.[1].Entries as { Cidr: string }[];
    expect(ipv4.map((e) => e.Cidr).sort()).toEqual(['192.0.2.10/32', '198.51.100.0/24', '203.0.113.16/28']);
    const clientRules = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, p]) => p.SourcePrefixListId,
    );
    // Two load balancers x two address families x two ports.
    expect(clientRules.map(([, p]) => p.FromPort).sort()).toEqual([443, 443, 443, 443, 80, 80, 80, 80]);
    expect(resourcesOf(ingress('pub'), 'AWS::EC2::PrefixList')).toHaveLength(1);
  });
});

describe('security groups', () => {
  it('lets only the load balancers reach the tasks, on the proxy ports and the PROXY-protocol health port', () => {
    for (const name of ['pub', 'priv', 'both']) {
      const template = ingress(name);
      const [taskGroup] = Object.keys(
        template.findResources('AWS::EC2::SecurityGroup', {
          Properties: { GroupDescription: Match.stringLikeRegexp('^Proxy tasks') },
        }),
      );
      const lbGroups = Object.keys(
        template.findResources('AWS::EC2::SecurityGroup', {
          Properties: { GroupDescription: Match.stringLikeRegexp('NLB:') },
        }),
      );
      const inline = resourcesOf(template, 'AWS::EC2::SecurityGroup').find(([id]) => id === taskGroup)?.[1];
      expect(inline?.SecurityGroupIngress).toBeUndefined();
      const rules = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').filter(
        ([, p]) => (p.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt']?.[0] === taskGroup,
      );
      const ports: readonly number[] = LOAD_BALANCER_CONTAINER_PORTS;
      expect([...ports].sort()).toEqual([
        PROXY_CONTAINER_PORTS.http,
        PROXY_CONTAINER_PORTS.loadBalancerHealth,
        PROXY_CONTAINER_PORTS.tls,
      ]);
      expect(rules).toHaveLength(ports.length * lbGroups.length);
      for (const [, rule] of rules) {
        expect(lbGroups).toContain(
          (rule.SourceSecurityGroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
        );
        expect(ports).toContain(rule.FromPort);
        expect(rule.ToPort).toBe(rule.FromPort);
      }
      // The container's own health port is loopback-only: nothing outside the task is let in on it.
      expect(rules.map(([, rule]) => rule.FromPort)).not.toContain(PROXY_CONTAINER_PORTS.health);
    }
  });

  it("lets the tasks out only on 443 and to Lattice's managed prefix lists on 80 and 443", () => {
    const egressOf = (name: string) => {
      const task = ingress(name).findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^Proxy tasks') },
      });
      const [taskGroup] = Object.keys(task);
      const inline = Object.values(task)[0]?.Properties.SecurityGroupEgress as Record<string, unknown>[];
      // Rules naming a token (the looked-up prefix list) are resources of their own.
      const separate = resourcesOf(ingress(name), 'AWS::EC2::SecurityGroupEgress')
        .map(([, rule]) => rule)
        .filter(
          (rule) => JSON.stringify(rule.GroupId) === JSON.stringify({ 'Fn::GetAtt': [taskGroup, 'GroupId'] }),
        );
      return [...inline, ...separate]
        .map((r) => [r.CidrIp ?? r.CidrIpv6 ?? lookupOf(r.DestinationPrefixListId), r.FromPort])
        .sort();
    };
    /** The prefix list a rule names: the logical id of the deploy-time lookup it comes from. */
    const lookupOf = (ref: unknown) => {
      const [id, attribute] = (ref as { 'Fn::GetAtt': string[] })['Fn::GetAtt'];
      expect(attribute).toBe('PrefixLists.0.PrefixListId');
      return id?.replace(/[0-9A-F]{8}$/, '');
    };
    expect(egressOf('both')).toEqual(
      [
        ['0.0.0.0/0', 443],
        ['LatticePrefixListsIpv4', 80],
        ['LatticePrefixListsIpv4', 443],
        ['LatticePrefixListsIpv6', 80],
        ['LatticePrefixListsIpv6', 443],
      ].sort(),
    );
    expect(egressOf('pub')).toEqual(
      [
        ['0.0.0.0/0', 443],
        ['LatticePrefixListsIpv4', 80],
        ['LatticePrefixListsIpv4', 443],
      ].sort(),
    );
    // No hard-coded link-local range: AWS documents that the lists may hold other addresses.
    expect(JSON.stringify(ingress('both').toJSON())).not.toMatch(/169\.254\.171|fd00:ec2:80/);
  });

  it('looks the Lattice prefix lists up by name at deploy time, so synth needs no lookup', () => {
    const lookups = resourcesOf(ingress('both'), 'Custom::AWS')
      .filter(([id]) => id.startsWith('LatticePrefixLists'))
      .map(([id, p]) => [
        id.replace(/[0-9A-F]{8}$/, ''),
        JSON.parse(JSON.stringify(p.Create).replace(/^"|"$/g, '').replace(/\\"/g, '"')),
      ]);
    expect(lookups.map(([id]) => id).sort()).toEqual(['LatticePrefixListsIpv4', 'LatticePrefixListsIpv6']);
    const byId = Object.fromEntries(lookups);
    expect(byId.LatticePrefixListsIpv4).toMatchObject({
      service: 'EC2',
      action: 'describeManagedPrefixLists',
      parameters: {
        Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.eu-west-1.vpc-lattice'] }],
      },
    });
    expect(byId.LatticePrefixListsIpv6).toMatchObject({
      parameters: {
        Filters: [{ Name: 'prefix-list-name', Values: ['com.amazonaws.eu-west-1.ipv6.vpc-lattice'] }],
      },
    });
    expect(
      resourcesOf(ingress('pub'), 'Custom::AWS').filter(([id]) => id.startsWith('LatticePrefixLists')),
    ).toHaveLength(1);
  });

  it('has no all-protocols (-1) rule in any stack', () => {
    for (const stackName of app.stackNames()) {
      const json = JSON.stringify(app.template(stackName).toJSON());
      expect(json).not.toMatch(/"IpProtocol":"-1"/);
      expect(json).not.toMatch(/"IpProtocol":-1/);
    }
  });
});

describe('proxy service', () => {
  it('runs an ARM64 Fargate task sized from scaling.yaml, non-root, read-only, with writable task volumes', () => {
    const template = ingress('pub');
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '512',
      Memory: '1024',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      Volumes: WRITABLE_PATHS.map(() => ({ Name: Match.anyValue() })),
      ContainerDefinitions: [
        Match.objectLike({
          User: PROXY_USER,
          ReadonlyRootFilesystem: true,
          StopTimeout: ROLLOUT_SETTINGS.stopTimeout.toSeconds(),
          MountPoints: WRITABLE_PATHS.map((path) =>
            Match.objectLike({ ContainerPath: path, ReadOnly: false }),
          ),
          HealthCheck: Match.objectLike({ Command: CONTAINER_HEALTH_CHECK }),
          PortMappings: LOAD_BALANCER_CONTAINER_PORTS.map((port) =>
            Match.objectLike({ ContainerPort: port }),
          ),
        }),
      ],
    });
    expect(ROLLOUT_SETTINGS.stopTimeout.toSeconds()).toBeLessThanOrEqual(120);
    expect(CONTAINER_HEALTH_CHECK.at(-1)).toBe(
      `http://127.0.0.1:${PROXY_CONTAINER_PORTS.health}${HEALTH_CHECK_PATH}`,
    );
  });

  it('takes the image tag from the ImageTag parameter (no default, tag scheme enforced)', () => {
    const template = ingress('pub');
    template.hasParameter(IMAGE_TAG_PARAMETER, {
      Type: 'String',
      AllowedPattern: IMAGE_TAG_PATTERN,
      Default: Match.absent(),
    });
    const task = propertiesOf(template, 'AWS::ECS::TaskDefinition');
    const image = JSON.stringify((task.ContainerDefinitions as { Image: unknown }[])[0]?.Image);
    expect(image).toContain(`{"Ref":"${IMAGE_TAG_PARAMETER}"}`);
    expect(image).toContain('/lattice-ingress-pub:');
    // Exactly the tags build-push creates, nothing mutable like latest.
    const pattern = new RegExp(IMAGE_TAG_PATTERN);
    expect(pattern.test(gitTag('0123456789abcdef0123456789abcdef01234567'))).toBe(true);
    expect(pattern.test(configTag('ab'.repeat(32)))).toBe(true);
    for (const tag of ['latest', 'git-0123abc', `cfg-${'ab'.repeat(16)}`])
      expect(pattern.test(tag)).toBe(false);
  });

  it('deploys all at once with the circuit breaker rolling back, with the grace period from config', () => {
    ingress('pub').hasResourceProperties('AWS::ECS::Service', {
      HealthCheckGracePeriodSeconds: ROLLOUT_SETTINGS.healthCheckGracePeriod.toSeconds(),
      EnableExecuteCommand: false,
      DeploymentConfiguration: Match.objectLike({
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
      NetworkConfiguration: { AwsvpcConfiguration: Match.objectLike({ AssignPublicIp: 'DISABLED' }) },
    });
    ingress('both').hasResourceProperties('AWS::ECS::Service', { EnableExecuteCommand: true });
  });

  it('registers the service with every target group of its mode', () => {
    const lbs = resourcesOf(ingress('both'), 'AWS::ECS::Service')[0]?.[1].LoadBalancers as {
      ContainerPort: number;
    }[];
    expect(lbs.map((lb) => lb.ContainerPort).sort()).toEqual([8080, 8080, 8443, 8443]);
  });

  it('enables Container Insights, keeps logs for the configured days, scales on CPU from scaling.yaml', () => {
    const template = ingress('both');
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/lattice-ingress/both/proxy',
      RetentionInDays: 30,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
    });
    template.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        TargetValue: 60,
        ScaleInCooldown: 300,
        ScaleOutCooldown: 60,
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    });
  });
});

describe('revocation network ACL', () => {
  it('covers every subnet a load balancer node lives in, tagged with the environment', () => {
    // Mode both: three proxy subnets (tasks and the internal NLB) and three public ones (the internet-facing NLB).
    const template = ingress('both');
    template.resourceCountIs('AWS::EC2::NetworkAcl', 1);
    template.resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 6);
    template.hasResourceProperties('AWS::EC2::NetworkAcl', {
      Tags: Match.arrayWith([{ Key: REVOCATION_ACL_TAG, Value: 'both' }]),
    });
    ingress('priv').resourceCountIs('AWS::EC2::SubnetNetworkAclAssociation', 3);
  });

  it('allows everything behind the rule numbers reserved for break-glass denies', () => {
    const entries = resourcesOf(ingress('both'), 'AWS::EC2::NetworkAclEntry').map(([, p]) => p);
    expect(entries).toHaveLength(4);
    for (const entry of entries) {
      expect(entry.RuleAction).toBe('allow');
      expect(entry.Protocol).toBe(-1);
      expect(entry.RuleNumber).toBeGreaterThanOrEqual(REVOCATION_RULES.first + REVOCATION_RULES.count);
    }
    expect(entries.map((e) => e.CidrBlock ?? e.Ipv6CidrBlock).sort()).toEqual([
      '0.0.0.0/0',
      '0.0.0.0/0',
      '::/0',
      '::/0',
    ]);
    expect(resourcesOf(ingress('priv'), 'AWS::EC2::NetworkAclEntry')).toHaveLength(2);
  });
});

describe('Lattice association', () => {
  it('associates the VPC with the configured service network, admitting only the proxy tasks on 80/443', () => {
    const template = ingress('priv');
    template.hasResourceProperties('AWS::VpcLattice::ServiceNetworkVpcAssociation', {
      ServiceNetworkIdentifier: 'sn-0123456789abcdef0',
    });
    const association = propertiesOf(template, 'AWS::VpcLattice::ServiceNetworkVpcAssociation');
    const groupId = (association.SecurityGroupIds as { 'Fn::GetAtt': string[] }[])[0]?.['Fn::GetAtt'][0];
    const [taskGroup] = Object.keys(
      template.findResources('AWS::EC2::SecurityGroup', {
        Properties: { GroupDescription: Match.stringLikeRegexp('^Proxy tasks') },
      }),
    );
    const rules = resourcesOf(template, 'AWS::EC2::SecurityGroupIngress').filter(
      ([, p]) => (p.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0] === groupId,
    );
    expect(rules.map(([, p]) => [p.FromPort, p.ToPort, p.IpProtocol]).sort()).toEqual([
      [443, 443, 'tcp'],
      [80, 80, 'tcp'],
    ]);
    for (const [, p] of rules) {
      expect((p.SourceSecurityGroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]).toBe(taskGroup);
    }
  });

  it('creates no association when no service network is configured', () => {
    ingress('pub').resourceCountIs('AWS::VpcLattice::ServiceNetworkVpcAssociation', 0);
  });
});

describe('DNS', () => {
  it('maps each service domain to its Lattice name in a private zone on the ingress VPC', () => {
    const template = ingress('pub');
    template.hasResourceProperties('AWS::Route53::HostedZone', {
      Name: 'example.com.',
      VPCs: [Match.objectLike({ VPCRegion: 'eu-west-1' })],
    });
    const cnames = resourcesOf(template, 'AWS::Route53::RecordSet')
      .filter(([, p]) => p.Type === 'CNAME')
      .map(([, p]) => [p.Name, (p.ResourceRecords as string[])[0]]);
    expect(cnames.sort()).toEqual([
      ['inventory.example.com.', 'inventory-0b2c3d4e5f6a7b8c9.7d67968.vpc-lattice-svcs.eu-west-1.on.aws'],
      ['orders.example.com.', 'orders-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws'],
    ]);
  });

  it('points service names in the named zones at the matching load balancer (A, and AAAA when dual-stack)', () => {
    const aliases = (name: string) =>
      resourcesOf(ingress(name), 'AWS::Route53::RecordSet')
        .filter(([, p]) => p.AliasTarget)
        .map(([, p]) => [
          p.HostedZoneId,
          p.Name,
          p.Type,
          JSON.stringify(p.AliasTarget).match(/LoadBalancers(Public|Private)/)?.[1],
        ]);
    expect(aliases('priv').sort()).toEqual([
      ['Z0PRIVATE0000000000', 'inventory.example.com.', 'A', 'Private'],
      ['Z0PRIVATE0000000000', 'orders.example.com.', 'A', 'Private'],
    ]);
    const both = aliases('both');
    expect(both).toHaveLength(8);
    expect(
      both.filter(([zone]) => zone === 'Z0PUBLIC00000000000').every(([, , , lb]) => lb === 'Public'),
    ).toBe(true);
    expect(both.filter(([, , type]) => type === 'AAAA')).toHaveLength(4);
    expect(aliases('pub')).toEqual([]);
  });
});

describe('outputs', () => {
  it('publishes what the deploy actions read, for the load balancers the mode has', () => {
    const outputs = (name: string) => Object.keys(ingress(name).toJSON().Outputs).sort();
    const common = [
      INGRESS_OUTPUTS.cluster,
      INGRESS_OUTPUTS.service,
      INGRESS_OUTPUTS.repositoryUri,
      INGRESS_OUTPUTS.imageTag,
      INGRESS_OUTPUTS.logGroup,
      INGRESS_OUTPUTS.vpcId,
      INGRESS_OUTPUTS.revocationAclId,
      INGRESS_OUTPUTS.proxyRouteTableIds,
    ];
    expect(outputs('pub')).toEqual([...common, INGRESS_OUTPUTS.publicEndpoint].sort());
    expect(outputs('priv')).toEqual([...common, INGRESS_OUTPUTS.privateEndpoint].sort());
    expect(outputs('both')).toEqual(
      [...common, INGRESS_OUTPUTS.publicEndpoint, INGRESS_OUTPUTS.privateEndpoint].sort(),
    );
  });

  it('names the stacks as the actions expect', () => {
    for (const env of ENVIRONMENTS) {
      const names = stackNames(env);
      expect(app.stackNames()).toEqual(expect.arrayContaining([names.access, names.registry, names.ingress]));
      expect(app.stackNames()).not.toContain(names.example);
    }
  });
});
