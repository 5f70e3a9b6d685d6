// A rendering of an environment that Debian's nginx 1.22 can load here (`nginx -t` and real traffic).
import { join } from 'node:path';
import { type Config, type Environment, upstreamName } from '../../src/config/model.ts';
import { type RenderTarget, renderTargetFor } from '../../src/render/render.ts';

/**
 * The environment's own target with the Debian flavour. Three things must change to run here: writable paths and
 * the access log go to a temporary directory (a test's stdout is a socket, which /dev/stdout cannot open), and
 * the upstream servers get an address, because nginx 1.22 resolves them at start with the system resolver,
 * which does not know Lattice names.
 */
export function debianTarget(config: Config, env: Environment, runtime: string): RenderTarget {
  return {
    ...renderTargetFor(env),
    flavour: 'debian',
    paths: { pid: join(runtime, 'nginx.pid'), runtime },
    logs: { access: join(runtime, 'access.log'), error: 'stderr' },
    upstreamAddresses: Object.fromEntries(
      config.services.services.map((s) => [upstreamName(s), '127.0.0.1']),
    ),
  };
}
