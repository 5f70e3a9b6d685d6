// What the image's STOPSIGNAL buys: SIGQUIT lets a request already in flight finish (HTTP and TLS passthrough),
// while SIGTERM, what the reference design's container gets, cuts it.
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/model.ts';
import { type LocalStack, startLocalStack } from '../../src/local/stack.ts';
import { DELAY_PARAMETER } from '../../src/local/stand-in.ts';
import { Supervisor } from '../../src/local/supervisor.ts';
import { type ProbeOutcome, probe } from '../../src/smoke/probe.ts';
import { echoServiceConfig, until } from './support.ts';

/** Long enough to still be in flight when the signal arrives (the signal waits for the stand-in to have it). */
const SLOW_MS = 2_000;

async function slowRequests(stack: LocalStack, config: Config): Promise<Promise<ProbeOutcome>[]> {
  const domain = config.services.services[0]?.domain as string;
  const ca = await readFile(stack.ca.certFile, 'utf8');
  const standIn = stack.standIns[0];
  if (!standIn) throw new Error('no stand-in');
  const before = standIn.requests;
  const inFlight = (['http', 'https'] as const).map((scheme) =>
    probe({
      scheme,
      connectHost: stack.endpoint.host,
      connectPort: scheme === 'https' ? stack.endpoint.tlsPort : stack.endpoint.httpPort,
      domain,
      method: 'GET',
      path: `/slow?${DELAY_PARAMETER}=${SLOW_MS}`,
      ca,
      timeoutMs: 20_000,
    }),
  );
  // Both requests have reached the service: they are in flight through nginx.
  await until(() => standIn.requests >= before + 2, 'both requests to reach the stand-in');
  return inFlight;
}

describe('stopping nginx with a request in flight', () => {
  let supervisor: Supervisor;
  afterEach(() => supervisor?.stop());

  it('SIGQUIT (graceful) lets HTTP and TLS requests in flight finish, then exits cleanly', async () => {
    supervisor = new Supervisor();
    const config = await echoServiceConfig();
    const stack = await startLocalStack(config, { supervisor, defaultRegion: 'eu-west-1' });
    const inFlight = await slowRequests(stack, config);
    const status = await stack.nginx.stop('SIGQUIT', 15_000);
    const [http, https] = await Promise.all(inFlight);
    expect(http).toMatchObject({ kind: 'response', status: 200 });
    expect(https).toMatchObject({ kind: 'response', status: 200 });
    expect(JSON.parse((https as { body: string }).body)).toMatchObject({
      scheme: 'https',
      path: expect.stringContaining('/slow'),
    });
    expect(status).toBe(0);
  });

  it('SIGTERM (fast) cuts HTTP and TLS requests in flight', async () => {
    supervisor = new Supervisor();
    const config = await echoServiceConfig();
    const stack = await startLocalStack(config, { supervisor, defaultRegion: 'eu-west-1' });
    const inFlight = await slowRequests(stack, config);
    await stack.nginx.stop('SIGTERM', 15_000);
    const [http, https] = await Promise.all(inFlight);
    expect(http).toMatchObject({ kind: 'failure', failure: 'closed' });
    expect(https).toMatchObject({ kind: 'failure', failure: 'closed' });
  });
});
