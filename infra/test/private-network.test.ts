// Private mode's way in: an optional Transit Gateway attachment with routes to the client networks, and the proxy
// subnets' route tables as an output for routes added outside this repository.
import { beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_OUTPUTS } from '../../src/contract/outputs.ts';
import {
  exampleConfig,
  PRIVATE_ENVIRONMENTS,
  resourcesOf,
  SYNTH_TIMEOUT_MS,
  type Synthesized,
  synthesize,
  TRANSIT_GATEWAY_ID,
  withEnvironments,
} from './fixtures.ts';

let app: Synthesized;
const ingress = (name: string) => app.template(`LatticeIngress-${name}-Ingress`);

beforeAll(async () => {
  app = await synthesize(withEnvironments(await exampleConfig(), PRIVATE_ENVIRONMENTS));
}, SYNTH_TIMEOUT_MS);

const proxySubnetIds = (name: string) =>
  resourcesOf(ingress(name), 'AWS::EC2::Subnet')
    .filter(([id]) => id.includes('Proxy'))
    .map(([id]) => id);

describe('Transit Gateway (network in deployment.yaml)', () => {
  it('attaches the VPC to the configured Transit Gateway in the three proxy subnets', () => {
    const [[, attachment] = []] = resourcesOf(ingress('routed'), 'AWS::EC2::TransitGatewayAttachment');
    expect(attachment?.TransitGatewayId).toBe(TRANSIT_GATEWAY_ID);
    expect(attachment?.SubnetIds).toEqual(proxySubnetIds('routed').map((id) => ({ Ref: id })));
  });

  it('routes every configured network through it from each proxy route table, once the attachment exists', () => {
    const template = ingress('routed').toJSON() as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: string[] }>;
    };
    const [attachmentId] = resourcesOf(ingress('routed'), 'AWS::EC2::TransitGatewayAttachment')[0] ?? [];
    const routes = Object.values(template.Resources).filter(
      (r) => r.Type === 'AWS::EC2::Route' && r.Properties.TransitGatewayId === TRANSIT_GATEWAY_ID,
    );
    expect(routes).toHaveLength(3 * 2);
    expect(new Set(routes.map((r) => JSON.stringify(r.Properties.RouteTableId))).size).toBe(3);
    expect(routes.map((r) => r.Properties.DestinationCidrBlock).sort()).toEqual([
      '10.0.0.0/8',
      '10.0.0.0/8',
      '10.0.0.0/8',
      '192.168.10.0/24',
      '192.168.10.0/24',
      '192.168.10.0/24',
    ]);
    for (const route of routes) expect(route.DependsOn).toContain(attachmentId);
  });

  it('creates no attachment and no route without it, and outputs the proxy route tables either way', () => {
    ingress('plain').resourceCountIs('AWS::EC2::TransitGatewayAttachment', 0);
    for (const name of ['plain', 'routed']) {
      const output = ingress(name).toJSON().Outputs?.[INGRESS_OUTPUTS.proxyRouteTableIds];
      const tables = JSON.stringify(output?.Value);
      expect(tables.match(/ProxySubnet\dRouteTable/g)).toHaveLength(3);
    }
  });
});
