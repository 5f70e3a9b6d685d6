// A service of a further service network is forwarded to the name that works from the environment's VPC: through
// the VPC association its Lattice name, through a service-network endpoint the endpoint's own name for it. The
// names clients send (SNI, Host) are the keys and are never rewritten: SigV4 signs the Host, and TLS is end to end.
import { beforeAll, describe, expect, test } from 'vitest';
import type { Config, Environment, Service } from '../../src/config/model.ts';
import { MAIN_FILE, renderProxy, renderTargetFor } from '../../src/render/render.ts';
import { exampleConfig } from './example-config.ts';

const ENDPOINT_NAME =
  'vpce-0123456789abcdef0-snsa-0123456789abcdef0.7d67968.vpc-lattice-svcs.eu-west-1.on.aws';
const BILLING: Service = {
  name: 'billing',
  domain: 'billing.example.com',
  latticeDomain: 'billing-0a1b2c3d4e5f6a7b8.7d67968.vpc-lattice-svcs.eu-west-1.on.aws',
  serviceNetwork: 'sn-0aaaaaaaaaaaaaaaa',
  endpointDomains: [{ environment: 'production', domain: ENDPOINT_NAME }],
  ports: [443, 80],
  auth: 'iam',
  smoke: { path: '/', expect: 200 },
};

let config: Config;
beforeAll(async () => {
  const example = await exampleConfig();
  config = { ...example, services: { services: [...example.services.services, BILLING] } };
});

const nginxConf = (name: string) => {
  const env = config.deployment.environments.find((e) => e.name === name) as Environment;
  return renderProxy(config, renderTargetFor(env)).get(MAIN_FILE) ?? '';
};

describe('the upstream of a service behind a service-network endpoint', () => {
  test("is the endpoint's name in the environment that lists one, for TLS and HTTP", () => {
    const conf = nginxConf('production');
    expect(conf).toContain(`${ENDPOINT_NAME}:443`);
    expect(conf).toContain(`server ${ENDPOINT_NAME}:80 resolve;`);
    expect(conf).not.toContain(BILLING.latticeDomain);
  });

  test('is its Lattice name in an environment without an endpoint name for it', () => {
    const conf = nginxConf('staging');
    expect(conf).toContain(`${BILLING.latticeDomain}:443`);
    expect(conf).not.toContain(ENDPOINT_NAME);
  });

  test('is reached by the name the client sent, which the proxy never rewrites', () => {
    const conf = nginxConf('production');
    expect(conf).toMatch(/billing\.example\.com\s/);
    // Host is passed on as the client sent it, never set to the upstream name.
    expect(conf.match(/proxy_set_header\s+Host\s+\S+;/g)).toEqual(['proxy_set_header Host $http_host;']);
    expect(conf).not.toMatch(/proxy_ssl_name|proxy_ssl_server_name/);
  });
});
