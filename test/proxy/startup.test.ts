// The first moments of a task on nginx 1.30 (image rendering): upstream servers with `resolve` start without an
// address, so until the first lookup of a Lattice name answers, requests for that service get 502 while the
// health endpoints already answer 200. This measures that window and checks it against the earliest moment the
// NLB can send a new task traffic. (nginx 1.22's rendering pins the addresses at start: no such window there.)
import { describe, expect, test } from 'vitest';
import { ROLLOUT_SETTINGS } from '../../infra/rollout-settings.ts';
import { exampleConfig } from './example-config.ts';
import { httpExchange, httpGet, startHarness } from './harness.ts';
import { nginxUnderTest } from './nginx-under-test.ts';

const CLIENT = '198.51.100.7';
const build = nginxUnderTest();
const HEALTHZ = 'GET /healthz HTTP/1.1\r\nHost: task\r\nConnection: close\r\n\r\n';

/**
 * An NLB puts a target in service after `healthyThreshold` consecutive passing checks, one interval apart
 * ("Health checks for Network Load Balancer target groups": HealthyThresholdCount, "the number of consecutive
 * health check successes required before considering a target healthy"). Even when the first check lands the
 * moment nginx listens, traffic starts no earlier than this.
 */
const NLB_EARLIEST_TRAFFIC_MS =
  (ROLLOUT_SETTINGS.healthyThreshold - 1) * ROLLOUT_SETTINGS.healthCheckInterval.toSeconds() * 1000;

describe.skipIf(build.flavour !== 'image')(`the first lookup after start (${build.label})`, () => {
  test.each([0, 1000])(
    'with the resolver answering after %i ms, 502 lasts as long as the first lookup, well inside the NLB threshold',
    async (answerDelayMs) => {
      const proxy = await startHarness(await exampleConfig(), {
        dnsAnswerDelayMs: answerDelayMs,
        awaitFirstLookups: false,
      });
      try {
        const started = Date.now();
        const first = await proxy.http(httpGet('orders.example.com'), CLIENT);
        expect(await httpExchange(proxy.ports.health, HEALTHZ)).toMatchObject({ status: 200 });
        let outcome = first;
        while ('status' in outcome && outcome.status === 502 && Date.now() - started < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          outcome = await proxy.http(httpGet('orders.example.com'), CLIENT);
        }
        const window = Date.now() - started;
        expect(outcome).toMatchObject({ status: 200 });
        if (answerDelayMs > 0) {
          // The 502s are the lookup's doing: they last about as long as the resolver takes.
          expect(first).toMatchObject({ status: 502 });
          expect(window).toBeGreaterThan(answerDelayMs / 2);
        }
        expect(window).toBeLessThan(answerDelayMs + 1000);
        expect(window).toBeLessThan(NLB_EARLIEST_TRAFFIC_MS);
      } finally {
        await proxy.stop();
      }
    },
    20_000,
  );
});
