// What CloudFormation and EC2 do on a first deployment, its retry and every later update, held against the
// synthesized templates: each test is named after the documented behaviour it depends on.
import { beforeAll, describe, expect, it } from 'vitest';
import { LOAD_BALANCER_CONTAINER_PORTS } from '../constructs/ingress-load-balancers.ts';
import { exampleConfig, resourcesOf, SYNTH_TIMEOUT_MS, type Synthesized, synthesize } from './fixtures.ts';

let app: Synthesized;
const templates = () => app.stackNames().map((name) => ({ name, template: app.template(name).toJSON() }));
const ingress = (env: string) => app.template(`LatticeIngress-${env}-Ingress`);

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  DependsOn?: string | string[];
}
const resources = (template: { Resources?: Record<string, CfnResource> }) =>
  Object.entries(template.Resources ?? {});

/** Resource types whose physical name this project fixes, and the property that fixes it. */
const NAME_PROPERTIES: Record<string, string> = {
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::ECR::Repository': 'RepositoryName',
  'AWS::ECS::Cluster': 'ClusterName',
  'AWS::IAM::Role': 'RoleName',
};

beforeAll(async () => {
  app = await synthesize(await exampleConfig());
}, SYNTH_TIMEOUT_MS);

describe('resources retained by a failed create', () => {
  // CloudFormation User Guide, "DeletionPolicy attribute": with Retain, CloudFormation keeps the resource when the
  // stack (or its failed creation) is rolled back, so a fixed name stays taken and the retry fails with
  // "already exists". "RetainExceptOnCreate behaves like Retain for stack operations, except for the stack operation
  // that initially created the resource. If the stack operation that created the resource is rolled back,
  // CloudFormation deletes the resource. For all other stack operations, such as stack deletion, CloudFormation
  // retains the resource and its contents."
  it('never retains a resource with a fixed name when the stack operation that created it rolls back', () => {
    const retainedWithFixedName = templates().flatMap(({ name, template }) =>
      resources(template)
        .filter(([, r]) => r.DeletionPolicy === 'Retain')
        .filter(([, r]) => {
          const nameProperty = NAME_PROPERTIES[r.Type];
          return nameProperty !== undefined && r.Properties?.[nameProperty] !== undefined;
        })
        .map(([id]) => `${name}/${id}`),
    );
    expect(retainedWithFixedName).toEqual([]);
  });

  it('keeps the proxy logs and the image repository when their stacks are deleted (RetainExceptOnCreate)', () => {
    ingress('staging').hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: { LogGroupName: '/lattice-ingress/staging/proxy' },
    });
    app.template('LatticeIngress-staging-Registry').hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'RetainExceptOnCreate',
    });
  });
});

describe('DesiredCount on update', () => {
  // AWS::ECS::Service, property DesiredCount: "For new services, if a desired count is not specified, a default
  // value of 1 is used. [...] For existing services, if a desired count is not specified, it is omitted from the
  // operation." A DesiredCount in the template is sent with every service update, resetting autoscaling's count.
  it('leaves the count out of the service, so an update never resets what autoscaling chose', () => {
    for (const env of ['staging', 'production']) {
      const [[, service] = []] = resourcesOf(ingress(env), 'AWS::ECS::Service');
      expect(service).toBeDefined();
      expect(service).not.toHaveProperty('DesiredCount');
    }
  });

  it('sets the initial count (desiredTasks, else minTasks) once, when the stack creates the service', () => {
    const [[, initial] = []] = resourcesOf(ingress('staging'), 'Custom::AWS').filter(([id]) =>
      id.includes('InitialTaskCount'),
    );
    expect(initial).toBeDefined();
    // Create only: no Update, so a stack update leaves the count alone; the scalable target keeps the range.
    expect(initial).not.toHaveProperty('Update');
    const create = JSON.stringify(initial?.Create);
    expect(create).toContain('\\"action\\":\\"UpdateService\\"');
    expect(create).toContain('\\"desiredCount\\":2');
    ingress('staging').hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 2,
      MaxCapacity: 10,
    });
  });
});

describe('security group egress', () => {
  // AWS::EC2::SecurityGroup: "If you do not specify an egress rule, we add egress rules that allow IPv4 and IPv6
  // traffic on all ports and protocols to any destination. We do not add these rules if you specify your own egress
  // rules." Rules added as separate AWS::EC2::SecurityGroupEgress resources do not count: the group is created
  // without any, gets the allow-all rule, and keeps it.
  it('creates every security group with its egress rules, so EC2 adds no allow-all rule', () => {
    const withoutEgress = templates().flatMap(({ name, template }) =>
      resources(template)
        .filter(([, r]) => r.Type === 'AWS::EC2::SecurityGroup')
        .filter(([, r]) => !Array.isArray(r.Properties?.SecurityGroupEgress))
        .map(([id]) => `${name}/${id}`),
    );
    expect(withoutEgress).toEqual([]);
  });

  it('lets the load balancers out only to the proxy tasks, on the ports they forward and health-check', () => {
    const template = ingress('production');
    const groups = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    const taskGroup = groups.find(([id]) => id.includes('TaskSecurityGroup'))?.[0];
    const loadBalancerGroups = groups.filter(([id]) => id.includes('LoadBalancers'));
    expect(loadBalancerGroups).toHaveLength(2);
    for (const [, group] of loadBalancerGroups) {
      expect(group.SecurityGroupEgress).toEqual(
        LOAD_BALANCER_CONTAINER_PORTS.map((port) => ({
          IpProtocol: 'tcp',
          FromPort: port,
          ToPort: port,
          DestinationSecurityGroupId: { 'Fn::GetAtt': [taskGroup, 'GroupId'] },
          Description: `to the proxy tasks on ${port}`,
        })),
      );
    }
    // Nothing adds to them later: a separate egress resource would also be what removes CDK's inline placeholder.
    const separate = resourcesOf(template, 'AWS::EC2::SecurityGroupEgress').map(
      ([, p]) => (p.GroupId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
    );
    expect(separate.filter((group) => loadBalancerGroups.some(([id]) => id === group))).toEqual([]);
  });
});

describe('service start order', () => {
  it('creates the ECS service only after the endpoints its tasks pull and log through', () => {
    for (const env of ['staging', 'production']) {
      const template = ingress(env).toJSON() as { Resources: Record<string, CfnResource> };
      const endpoints = resources(template)
        .filter(([, r]) => r.Type === 'AWS::EC2::VPCEndpoint')
        .map(([id]) => id);
      const services = resources(template).filter(([, r]) => r.Type === 'AWS::ECS::Service');
      // ECR API, ECR Docker, CloudWatch Logs and the S3 gateway (image layers).
      expect(endpoints.length).toBeGreaterThanOrEqual(4);
      expect(services).toHaveLength(1);
      const dependsOn = [services[0]?.[1].DependsOn ?? []].flat();
      expect(dependsOn).toEqual(expect.arrayContaining(endpoints));
    }
  });
});
