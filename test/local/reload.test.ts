// Reloading nginx with a changed allowlist while clients keep sending: with `Connection: close` clients not one
// request may fail. (Keepalive clients lose about one request per open connection per reload to the idle-close
// race; `npm run bench:proxy` measures that.)
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowlistEntries, randomCidrs } from '../../scripts/bench/allowlist.ts';
import type { Config } from '../../src/config/model.ts';
import { type LocalStack, REFUSED_CLIENT_ADDRESS, startLocalStack } from '../../src/local/stack.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { ALLOWLIST_FILE, renderProxy } from '../../src/render/render.ts';
import { probe } from '../../src/smoke/probe.ts';
import { echoServiceConfig, until } from './support.ts';

const CONCURRENCY = 8;
const RELOADS = 3;
/** Requests that must complete between two reloads, so every reload happens under load. */
const REQUESTS_BETWEEN_RELOADS = 40;

interface Load {
  completed: number;
  statuses: Map<number, number>;
  errors: string[];
  stop(): Promise<void>;
}

/** `CONCURRENCY` clients, each sending one request per connection (Connection: close) until stopped. */
function connectionCloseLoad(stack: LocalStack, domain: string): Load {
  let running = true;
  const load: Load = { completed: 0, statuses: new Map(), errors: [], stop: async () => {} };
  const once = () =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          host: stack.endpoint.host,
          port: stack.endpoint.httpPort,
          path: '/',
          headers: { host: domain, connection: 'close' },
          agent: false,
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            load.statuses.set(res.statusCode ?? 0, (load.statuses.get(res.statusCode ?? 0) ?? 0) + 1);
            load.completed += 1;
            resolve();
          });
        },
      );
      req.on('error', (error) => {
        load.errors.push(error.message);
        resolve();
      });
      req.end();
    });
  const clients = Array.from({ length: CONCURRENCY }, async () => {
    while (running) await once();
  });
  load.stop = async () => {
    running = false;
    await Promise.all(clients);
  };
  return load;
}

describe('reload under load', () => {
  const supervisor = new Supervisor();
  let config: Config;
  let stack: LocalStack;

  beforeAll(async () => {
    config = await echoServiceConfig();
    stack = await startLocalStack(config, { supervisor, defaultRegion: 'eu-west-1' });
  });
  afterAll(() => supervisor.stop());

  it('with Connection: close clients, a changed allowlist is applied without a single failed request', async () => {
    const domain = config.services.services[0]?.domain as string;
    const load = connectionCloseLoad(stack, domain);
    try {
      for (let reload = 1; reload <= RELOADS; reload++) {
        const target = load.completed + REQUESTS_BETWEEN_RELOADS;
        await until(() => load.completed >= target || load.errors.length > 0, 'requests between reloads');
        // Each reload brings a new random allowlist; the last one also lets 127.0.0.2 in, to prove it applied.
        const cidrs = [
          ...randomCidrs(1_000, reload),
          ...(reload === RELOADS ? [`${REFUSED_CLIENT_ADDRESS}/32`] : []),
        ];
        const changed: Config = {
          ...config,
          allowlist: { ...config.allowlist, entries: allowlistEntries(cidrs) },
        };
        await writeFile(
          join(stack.renderDir, ALLOWLIST_FILE),
          renderProxy(changed, stack.target).get(ALLOWLIST_FILE) as string,
        );
        await stack.nginx.reload();
      }
      const target = load.completed + REQUESTS_BETWEEN_RELOADS;
      await until(() => load.completed >= target || load.errors.length > 0, 'requests after the last reload');
    } finally {
      await load.stop();
    }
    expect(load.errors).toEqual([]);
    expect([...load.statuses.keys()]).toEqual([200]);
    expect(load.completed).toBeGreaterThanOrEqual((RELOADS + 1) * REQUESTS_BETWEEN_RELOADS);

    const fromNewlyAllowed = await probe({
      scheme: 'http',
      connectHost: stack.endpoint.host,
      connectPort: stack.endpoint.httpPort,
      domain,
      method: 'GET',
      path: '/',
      sourceAddress: REFUSED_CLIENT_ADDRESS,
      timeoutMs: 5_000,
    });
    expect(fromNewlyAllowed).toMatchObject({ kind: 'response', status: 200 });
  });
});
