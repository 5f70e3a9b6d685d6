// Rendering without nginx: the shipped files for the example config (file snapshots), what differs between the
// image and the Debian flavour, the target derived from deployment.yaml, and the refusal of unsafe values.
import { beforeAll, describe, expect, test } from 'vitest';
import { ROLLOUT_SETTINGS } from '../../infra/rollout-settings.ts';
import { formatAddress, requireCanonicalCidr, vpcResolverAddress } from '../../src/config/cidr.ts';
import type { Config, Environment, Service } from '../../src/config/model.ts';
import {
  ALLOWLIST_FILE,
  ENTRYPOINT_FILE,
  MAIN_FILE,
  renderProxy,
  renderTargetFor,
} from '../../src/render/render.ts';
import { exampleConfig } from './example-config.ts';

let config: Config;
beforeAll(async () => {
  config = await exampleConfig();
});

const environments = () => config.deployment.environments;
const render = (env: Environment, flavour: 'image' | 'debian' = 'image') =>
  renderProxy(config, { ...renderTargetFor(env), flavour });

describe('the files the image ships', () => {
  test('match the snapshots for every example environment', async () => {
    for (const env of environments()) {
      const files = render(env);
      expect([...files.keys()]).toEqual([MAIN_FILE, ALLOWLIST_FILE, ENTRYPOINT_FILE]);
      for (const [name, content] of files) {
        await expect(content).toMatchFileSnapshot(`__snapshots__/${env.name}/${name}`);
      }
    }
  });

  test('differ from the Debian rendering only in the flavour lines', () => {
    for (const env of environments()) {
      const image = render(env, 'image').get(MAIN_FILE)?.split('\n') ?? [];
      const debian = render(env, 'debian').get(MAIN_FILE)?.split('\n') ?? [];
      const onlyIn = (a: string[], b: string[]) =>
        a.filter((line) => !b.includes(line) && !line.trim().startsWith('#') && line.trim() !== '');
      const http = config.services.services.filter((service) => service.ports.includes(80));
      const tls = config.services.services.filter((service) => service.ports.includes(443));
      const lattice = (service: Service) => service.latticeDomain ?? service.domain;
      expect(onlyIn(debian, image)).toEqual([
        'load_module /usr/lib/nginx/modules/ngx_stream_module.so;',
        ...http.map((service) => `        server ${lattice(service)}:80;`),
        ...tls.map((service) => `        server ${lattice(service)}:443;`),
      ]);
      // Both health listeners closed until the entrypoint has seen every service's address, and the
      // container listener telling it each HTTP service's address (the TLS probes follow below).
      const healthGate = [
        '            if (!-f /tmp/nginx/ready) {',
        '                return 503 "starting\\n";',
        '            }',
      ];
      expect(onlyIn(image, debian)).toEqual([
        ...http.map((service) => `        server ${lattice(service)}:80 resolve;`),
        ...healthGate,
        ...healthGate,
        ...http.flatMap((service) => [
          `        location = /upstream/${service.name} {`,
          `            proxy_pass http://lattice_http_${service.name}/;`,
          '            proxy_next_upstream off;',
          '            proxy_connect_timeout 2s;',
          '            proxy_read_timeout 2s;',
          '            add_header X-Upstream-Address $upstream_addr always;',
        ]),
        ...tls.map((service) => `        server ${lattice(service)}:443 resolve;`),
        // And a probe socket per TLS service, logging the address nginx forwards to.
        "    log_format lattice_tls_probe '$upstream_addr';",
        ...tls.flatMap((service) => [
          `        listen unix:/tmp/nginx/tls-probe-${service.name}.sock;`,
          `        access_log /tmp/nginx/tls-probe-${service.name}.log lattice_tls_probe;`,
          `        proxy_pass lattice_tls_${service.name};`,
          '        proxy_connect_timeout 2s;',
          '        proxy_timeout 50ms;',
        ]),
      ]);
    }
  });

  test("bound the entrypoint's wait so that a task it opens is found healthy within ECS's grace periods", () => {
    const waitSeconds = renderTargetFor(environments()[0] as Environment).readinessWaitSeconds;
    // The NLB puts a target in service after healthyThreshold passing checks one interval apart; ECS ignores its
    // verdict for healthCheckGracePeriod after the task starts.
    const loadBalancerHealthy =
      waitSeconds + ROLLOUT_SETTINGS.healthyThreshold * ROLLOUT_SETTINGS.healthCheckInterval.toSeconds();
    expect(loadBalancerHealthy).toBeLessThan(ROLLOUT_SETTINGS.healthCheckGracePeriod.toSeconds());
    // The container health check's failures count after its start period, and it takes `retries` of them.
    const { startPeriod, interval, retries } = ROLLOUT_SETTINGS.containerHealthCheck;
    expect(waitSeconds).toBeLessThan(startPeriod.toSeconds() + retries * interval.toSeconds());
  });

  test('route only configured names, each to its own Lattice name', () => {
    const [env] = environments();
    const conf = render(env as Environment).get(MAIN_FILE) ?? '';
    const tlsAccess =
      /map "\$tls_service_name \$client_group" \$access_refusal \{[^}]*\}/.exec(conf)?.[0] ?? '';
    for (const service of config.services.services) {
      const lattice = service.latticeDomain ?? service.domain;
      // SNI -> the service's name; "<name> <group>" -> no refusal, for each group that may reach it; the service's
      // upstream group -> its Lattice name.
      const tls = service.ports.includes(443);
      expect(conf.includes(`        ${service.domain} ${service.name};`)).toBe(tls);
      expect(tlsAccess.includes(`        "${service.name} g0" "";`)).toBe(true);
      const group = new RegExp(`upstream lattice_tls_${service.name} \\{[^}]*\\n {8}server (\\S+) resolve;`);
      expect(group.exec(conf)?.[1]).toBe(tls ? `${lattice}:443` : undefined);
      const host = `        "${service.domain} ${service.domain}" ${service.name};`;
      expect(conf.includes(host)).toBe(service.ports.includes(80));
    }
    // Everything else is refused: no wildcard, regex or hostname matching in the routing maps.
    expect(conf).not.toMatch(/^\s+(hostnames|~)/m);
    expect(conf).toMatch(/map \$ssl_preread_server_name \$tls_service_name \{\n\s+default "-";/);
    // Forwarded only when access refused nothing, to the upstream group of the service the SNI names.
    expect(conf).toMatch(
      /map \$access_refusal \$tls_upstream \{\n\s+"~\." \$tls_refusal;\n\s+default lattice_tls_\$tls_service_name;\n\s+\}/,
    );
    // A refused TLS connection goes to the refusal server; bytes that are not TLS to the plain refusal server.
    expect(conf).toMatch(
      /map \$ssl_preread_protocol \$tls_refusal \{\n\s+"~\." unix:\/tmp\/nginx\/refuse\.sock;\n\s+default unix:\/tmp\/nginx\/refuse-plain\.sock;/,
    );
  });

  test('trust PROXY headers from the environment VPC only and use its resolver', () => {
    for (const env of environments()) {
      const conf = render(env).get(MAIN_FILE) ?? '';
      const trusted = [...conf.matchAll(/set_real_ip_from (\S+);/g)].map((match) => match[1]);
      expect(trusted).toEqual([env.vpcCidr, env.vpcCidr]);
      expect(conf).not.toContain('192.168.0.0/16');
      const resolvers = [...conf.matchAll(/resolver (\S+) valid=10s ipv6=off;/g)].map((match) => match[1]);
      expect(resolvers).toEqual([
        `${vpcResolverAddress(env.vpcCidr)}:53`,
        `${vpcResolverAddress(env.vpcCidr)}:53`,
      ]);
    }
  });

  test('write the allowlist as geo entries with their access group, nothing else', () => {
    const allowlist = render(environments()[0] as Environment).get(ALLOWLIST_FILE) ?? '';
    const entries = allowlist.split('\n').filter((line) => line && !line.startsWith('#'));
    expect(entries).toEqual(config.allowlist.entries.map((entry) => `${entry.cidr} g0;`));
  });
});

describe('render target of an environment', () => {
  const env = (overrides: Partial<Environment>) => ({ ...environments()[0], ...overrides }) as Environment;

  test('resolver is the VPC base address plus two', () => {
    expect(renderTargetFor(env({ vpcCidr: '10.42.0.0/20' })).resolver.address).toBe('10.42.0.2');
    expect(renderTargetFor(env({ vpcCidr: '172.31.255.0/24' })).resolver.address).toBe('172.31.255.2');
  });

  test('IPv6 answers only for dual-stack environments', () => {
    expect(renderTargetFor(env({ dualStack: false })).resolver.ipv6).toBe(false);
    expect(renderTargetFor(env({ dualStack: true })).resolver.ipv6).toBe(true);
    const conf = renderProxy(config, renderTargetFor(env({ dualStack: true }))).get(MAIN_FILE);
    expect(conf).toContain('ipv6=on;');
  });

  test('listens on the container ports, PROXY protocol wherever the load balancer connects, and writes only under the runtime volume', () => {
    const target = renderTargetFor(env({}));
    expect(target.listen).toEqual({
      address: '0.0.0.0',
      http: 8080,
      tls: 8443,
      loadBalancerHealth: 8082,
      health: 8081,
      healthAddress: '127.0.0.1',
    });
    const conf = renderProxy(config, target).get(MAIN_FILE) ?? '';
    const listens = [...conf.matchAll(/^\s*listen ([^;]+);/gm)].map((match) => match[1]);
    // Everything the load balancer reaches expects its PROXY header; the container's own check stays inside.
    expect(listens).toEqual(
      expect.arrayContaining([
        '0.0.0.0:8080 proxy_protocol default_server',
        '0.0.0.0:8443 proxy_protocol',
        '0.0.0.0:8082 proxy_protocol',
        '127.0.0.1:8081',
      ]),
    );
    expect(listens.filter((listen) => listen?.startsWith('0.0.0.0:')).length).toBe(3);
    const written = [...conf.matchAll(/^\s*(?:pid|\w+_temp_path) (\S+);/gm)].map((match) => match[1]);
    expect(written.length).toBe(6);
    for (const path of written) expect(path?.startsWith('/tmp/nginx/')).toBe(true);
  });
});

describe('unsafe values are refused at render time', () => {
  const injected = [
    'orders.example.com; include /etc/passwd',
    'orders.example.com}',
    'a$host.example.com',
    'orders.example.com\n',
    'orders example.com',
    "orders'.example.com",
  ];
  test.each(injected)('service domain %j', (domain) => {
    const service = { ...config.services.services[0], domain } as Config['services']['services'][number];
    const bad = { ...config, services: { services: [service] } };
    expect(() => renderProxy(bad, renderTargetFor(environments()[0] as Environment))).toThrow(
      /refusing to render .*domain/,
    );
  });

  test('allowlist CIDR that is not a network', () => {
    const bad = {
      ...config,
      allowlist: { ...config.allowlist, entries: [{ cidr: '10.0.0.0/8; allow all', description: 'x' }] },
    };
    expect(() => renderProxy(bad, renderTargetFor(environments()[0] as Environment))).toThrow();
  });

  test('two services with one domain', () => {
    const [first, second] = config.services.services;
    const bad = {
      ...config,
      services: { services: [first, { ...second, domain: first?.domain }] },
    } as Config;
    expect(() => renderProxy(bad, renderTargetFor(environments()[0] as Environment))).toThrow(
      /appears twice/,
    );
  });

  test('runtime directory too long for the unix sockets nginx listens on', () => {
    const base = renderTargetFor(environments()[0] as Environment);
    const runtime = `/tmp/${'r'.repeat(100)}`;
    const target = { ...base, paths: { ...base.paths, runtime } };
    expect(() => renderProxy(config, target)).toThrow(
      /is 1\d\d bytes, over the 107 a unix socket address holds/,
    );
  });

  test('trusted CIDR with host bits set', () => {
    const target = {
      ...renderTargetFor(environments()[0] as Environment),
      trustedProxyCidrs: ['10.0.0.1/8'],
    };
    expect(() => renderProxy(config, target)).toThrow(/not canonical/);
  });
});

describe('CIDR arithmetic', () => {
  test('parses and formats IPv4 and IPv6 networks', () => {
    expect(requireCanonicalCidr('2001:db8:100::/48')).toMatchObject({
      family: 6,
      network: 0x20010db80100n << 80n,
      prefix: 48,
    });
    expect(formatAddress(6, (0x20010db80100n << 80n) - 1n)).toBe('2001:db8:ff:ffff:ffff:ffff:ffff:ffff');
    expect(formatAddress(4, requireCanonicalCidr('198.51.100.0/24').last)).toBe('198.51.100.255');
    expect(() => requireCanonicalCidr('198.51.100.1/24')).toThrow(/not canonical/);
    expect(() => requireCanonicalCidr('2001:DB8::/32')).toThrow(/not canonical: write 2001:db8::\/32/);
    expect(() => requireCanonicalCidr('198.51.100.0/33')).toThrow();
  });
});
