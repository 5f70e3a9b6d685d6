// Which nginx the proxy suites run on. vitest.config.ts runs them twice: on Debian's nginx 1.22 with the
// `debian` rendering, and (project "nginx-1.30", when setup built the forky root) on nginx 1.30 with the `image`
// rendering, the one the image ships. A test whose expectation differs between the two says which and why.
import { debianNginx, forkyNginx, type NginxBuild } from '../../src/local/nginx-builds.ts';

/** Set by vitest.config.ts for the nginx 1.30 project. */
export const NGINX_UNDER_TEST_ENV = 'LATTICE_TEST_NGINX';

export function nginxUnderTest(): NginxBuild {
  if (process.env[NGINX_UNDER_TEST_ENV] !== 'image') return debianNginx();
  const forky = forkyNginx();
  if ('unavailable' in forky) throw new Error(forky.unavailable);
  return forky;
}
