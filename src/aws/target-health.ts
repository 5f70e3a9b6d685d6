// ELBv2 DescribeTargetHealth: how many targets of a target group are healthy. The project has no ELBv2 SDK client,
// so this one call is made directly: the Query protocol (a form POST, XML back), signed with the SDK's SigV4
// signer, with credentials from the standard chain. It honours AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 and
// AWS_ENDPOINT_URL as the SDK clients do.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity } from '@smithy/types';

const API_VERSION = '2015-12-01';

export interface TargetGroupHealth {
  targetGroupArn: string;
  /** TargetHealth.State of each registered target: healthy, unhealthy, initial, draining, unused, unavailable. */
  states: string[];
}

export class TargetHealth {
  constructor(
    private readonly region: string,
    private readonly credentials: AwsCredentialIdentity,
    private readonly endpoint = defaultEndpoint(region),
  ) {}

  async describe(targetGroupArn: string): Promise<TargetGroupHealth> {
    const url = new URL(this.endpoint);
    const body = new URLSearchParams({
      Action: 'DescribeTargetHealth',
      Version: API_VERSION,
      TargetGroupArn: targetGroupArn,
    }).toString();
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port ? { port: Number(url.port) } : {}),
      path: url.pathname || '/',
      headers: {
        host: url.host,
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      },
      body,
    });
    const signer = new SignatureV4({
      service: 'elasticloadbalancing',
      region: this.region,
      credentials: this.credentials,
      sha256: Sha256,
    });
    const signed = await signer.sign(request);
    const response = await fetch(url, {
      method: 'POST',
      headers: signed.headers,
      body,
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    if (!response.ok) {
      const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? `HTTP ${response.status}`;
      const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 200);
      throw Object.assign(new Error(`DescribeTargetHealth ${targetGroupArn}: ${code}: ${message}`), {
        name: code,
      });
    }
    return { targetGroupArn, states: targetStates(text) };
  }
}

/** TargetHealth.State of every TargetHealthDescriptions member of a DescribeTargetHealth response. */
export function targetStates(xml: string): string[] {
  const list = /<TargetHealthDescriptions>([\s\S]*?)<\/TargetHealthDescriptions>/.exec(xml)?.[1] ?? '';
  return [...list.matchAll(/<TargetHealth>[\s\S]*?<State>([^<]*)<\/State>[\s\S]*?<\/TargetHealth>/g)].map(
    (match) => match[1] ?? '',
  );
}

function defaultEndpoint(region: string): string {
  const configured = process.env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 ?? process.env.AWS_ENDPOINT_URL;
  if (configured) return configured;
  return `https://elasticloadbalancing.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}
