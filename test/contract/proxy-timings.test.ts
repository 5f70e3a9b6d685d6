// nginx's graceful shutdown has to finish inside ECS's stop window, or SIGKILL cuts the connections it is draining.
// Amazon ECS API Reference, ContainerDefinition, stopTimeout: "Time duration (in seconds) to wait before the
// container is forcefully killed if it doesn't exit normally on its own."
import { describe, expect, it } from 'vitest';
import { ROLLOUT_SETTINGS } from '../../infra/rollout-settings.ts';
import type { Environment } from '../../src/config/model.ts';
import { MAIN_FILE, renderProxy, renderTargetFor } from '../../src/render/render.ts';
import { exampleConfig } from '../proxy/example-config.ts';

describe('proxy stop timings', () => {
  it('renders a worker_shutdown_timeout that ends at least 10 s before the task stopTimeout', async () => {
    const config = await exampleConfig();
    const env = config.deployment.environments[0] as Environment;
    const rendered = renderProxy(config, renderTargetFor(env)).get(MAIN_FILE) ?? '';
    const shutdown = Number(/^\s*worker_shutdown_timeout (\d+)s;/m.exec(rendered)?.[1]);
    expect(shutdown).toBeGreaterThan(0);
    expect(ROLLOUT_SETTINGS.stopTimeout.toSeconds() - shutdown).toBeGreaterThanOrEqual(10);
  });
});
