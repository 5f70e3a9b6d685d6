import { availableParallelism } from 'node:os';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import { forkyNginx } from './src/local/nginx-builds.ts';
import { NGINX_UNDER_TEST_ENV } from './test/proxy/nginx-under-test.ts';

const include = [
  'src/**/*.test.ts',
  'actions/**/*.test.ts',
  'infra/**/*.test.ts',
  'test/**/*.test.ts',
  'scripts/**/*.test.ts',
];
const exclude = ['**/node_modules/**', '**/dist/**', '**/cdk.out/**'];
// What only the image rendering has (`resolve` on upstream servers, the health gate of its entrypoint): these run in
// the nginx 1.30 project only.
const imageOnly = ['test/proxy/resolve.test.ts', 'test/proxy/startup.test.ts'];

// The suites that start a real nginx run a second time on nginx 1.30 with the image rendering, when setup could
// build it (test/proxy/nginx-under-test.ts); otherwise they say why here and run on nginx 1.22 only.
const forky = forkyNginx();
if ('unavailable' in forky) console.warn(`proxy suites on nginx 1.30 skipped: ${forky.unavailable}`);
const onNginx130: TestProjectInlineConfiguration = {
  extends: true,
  test: {
    name: 'nginx-1.30',
    include: ['test/proxy/**/*.test.ts'],
    // Render-only tests and the runner's own test do not depend on which nginx serves.
    exclude: [...exclude, 'test/proxy/render*.test.ts', 'test/proxy/runner.test.ts'],
    env: { [NGINX_UNDER_TEST_ENV]: 'image' },
  },
};

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // One test file per core, not vitest's cores - 1: most files spend much of their time waiting for processes they
    // start (nginx, cdk synth, the CLI) or for timeouts, so a worker per core keeps both cores of a small machine busy.
    maxWorkers: availableParallelism(),
    hookTimeout: 60_000,
    globalSetup: ['test/support/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'nginx-1.22', include, exclude: [...exclude, ...imageOnly] } },
      ...('unavailable' in forky ? [] : [onNginx130]),
    ],
  },
});
