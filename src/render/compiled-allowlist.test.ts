// renderProxy with an allowlist compiled once for several environments renders what it compiles itself, and
// refuses one compiled from another configuration or for other extra entries.
import { beforeAll, describe, expect, test } from 'vitest';
import { exampleConfig } from '../../test/proxy/example-config.ts';
import type { Config } from '../config/model.ts';
import { compileAllowlist, localRenderTarget, renderProxy, renderTargetFor } from './render.ts';

let config: Config;
beforeAll(async () => {
  config = await exampleConfig();
});

describe('compileAllowlist', () => {
  test('renders every environment as renderProxy does on its own', () => {
    const compiled = compileAllowlist(config, []);
    for (const env of config.deployment.environments) {
      const target = renderTargetFor(env);
      expect(renderProxy(config, target, compiled)).toEqual(renderProxy(config, target));
    }
  });

  test('is refused for another configuration or other extra entries', () => {
    const target = renderTargetFor(
      config.deployment.environments[0] as Config['deployment']['environments'][0],
    );
    const other = { ...config, allowlist: { ...config.allowlist } };
    expect(() => renderProxy(other, target, compileAllowlist(config, []))).toThrow(/another configuration/);
    const local = localRenderTarget({
      runtimeDir: '/tmp/nginx',
      listen: { http: 8080, tls: 8443, loadBalancerHealth: 8081, health: 8082 },
      resolver: { port: 5353 },
      upstreamPorts: { http: 9080, tls: 9443 },
    });
    expect(() => renderProxy(config, local, compileAllowlist(config, []))).toThrow(/another configuration/);
    expect(renderProxy(config, local, compileAllowlist(config, local.extraAllowlist))).toEqual(
      renderProxy(config, local),
    );
  });
});
