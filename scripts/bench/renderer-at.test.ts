import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { benchConfig, DEFAULT_BASELINE } from './bench-config.ts';
import { rendererAt } from './renderer-at.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
// A shallow clone (CI's default checkout) lacks the commit; bench:proxy then fails with git's message.
const hasBaseline = (() => {
  try {
    execFileSync('git', ['-C', ROOT, 'cat-file', '-e', `${DEFAULT_BASELINE}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasBaseline)(`the renderer of ${DEFAULT_BASELINE}, as bench:proxy loads it`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'renderer-at-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders the configuration of that commit: the allowlist decides alone, no per-client connection limit', async () => {
    const renderer = await rendererAt(ROOT, DEFAULT_BASELINE, dir);
    const target = renderer.render.localRenderTarget({
      runtimeDir: join(dir, 'runtime'),
      listen: { http: 8080, tls: 8443, loadBalancerHealth: 8081, health: 8082 },
      resolver: { port: 5353 },
      upstreamPorts: { http: 9080, tls: 9443 },
    });
    const conf =
      renderer.render.renderProxy(benchConfig(['127.0.0.1/32'], renderer), target).get('nginx.conf') ?? '';
    expect(conf).toContain('geo $allowed_client {');
    expect(conf).toContain('ssl_preread on;');
    expect(conf).not.toContain('limit_conn');
  });
});
