// The first moments of a task on nginx 1.30 (image rendering), started the way the image starts it (through the
// rendered entrypoint.sh): upstream servers with `resolve` start without an address, so until nginx's first lookup
// of a Lattice name answers, requests for that service get 502 and its TLS connections are closed. The health
// checks must not answer 200 before then, or the NLB could send traffic to a task that cannot forward it. (nginx
// 1.22's rendering pins the addresses at start: no such window, no entrypoint there.)
import { describe, expect, test } from 'vitest';
import { upstreamName } from '../../src/config/model.ts';
import { HEALTH_CHECK_PATH } from '../../src/contract/proxy-container.ts';
import { proxyV2LocalHeader } from '../support/proxy-protocol.ts';
import { exampleConfig } from './example-config.ts';
import { type HttpOutcome, httpExchange, httpGet, startHarness } from './harness.ts';
import { nginxUnderTest } from './nginx-under-test.ts';

const CLIENT = '198.51.100.7';
const build = nginxUnderTest();
const HEALTHZ = httpGet('task', HEALTH_CHECK_PATH);
const status = (outcome: HttpOutcome) => ('status' in outcome ? outcome.status : undefined);

describe(`the health checks after start (${build.label})`, () => {
  test.each([0, 1000])(
    'with the resolver answering after %i ms, both health listeners answer 503 until HTTP and TLS are forwarded',
    async (answerDelayMs) => {
      const proxy = await startHarness(await exampleConfig(), {
        dnsAnswerDelayMs: answerDelayMs,
        awaitHealthy: false,
      });
      try {
        const started = Date.now();
        const seen = {
          health: new Set<number | undefined>(),
          service: new Set<number | undefined>(),
          tls: new Set<string>(),
        };
        for (;;) {
          const container = status(await httpExchange(proxy.ports.health, HEALTHZ));
          const loadBalancer = status(
            await httpExchange(proxy.ports.loadBalancerHealth, HEALTHZ, proxyV2LocalHeader()),
          );
          // Asked after the health checks: once they answer 200, the service must already be forwarded, over
          // HTTP and over TLS.
          const service = status(await proxy.http(httpGet('orders.example.com'), CLIENT));
          const tls = 'service' in (await proxy.tls('orders.example.com', CLIENT)) ? 'forwarded' : 'refused';
          seen.health.add(container).add(loadBalancer);
          seen.service.add(service);
          seen.tls.add(tls);
          if (container === 200 || loadBalancer === 200) {
            expect(service).toBe(200);
            expect(tls).toBe('forwarded');
            break;
          }
          expect(Date.now() - started).toBeLessThan(10_000);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        const opened = Date.now() - started;
        if (answerDelayMs > 0) {
          // The window is there (502 on the service) and the health checks were closed through it.
          expect([...seen.service]).toContain(502);
          expect([...seen.tls]).toContain('refused');
          expect([...seen.health]).toContain(503);
          expect(opened).toBeGreaterThan(answerDelayMs / 2);
        }
        // Opened by a forwarded request, not by the wait's deadline (which says so in the log), so well within the
        // wait after the answer; the bound leaves room for a machine busy with other tests.
        expect(proxy.nginx.output()).not.toContain('health checks open although');
        expect(opened).toBeLessThan(answerDelayMs + proxy.target.readinessWaitSeconds * 1000);
      } finally {
        await proxy.stop();
      }
    },
    20_000,
  );

  test('a TLS-only service whose name answers late keeps the health checks closed until its connections are forwarded', async () => {
    // Every other name answers at once, so the HTTP services are ready long before inventory (443 only) is.
    const config = await exampleConfig();
    const inventory = config.services.services.find((service) => service.name === 'inventory');
    if (!inventory || inventory.ports.includes(80))
      throw new Error('the example config has a TLS-only inventory');
    const lateMs = 1500;
    const proxy = await startHarness(config, {
      dnsAnswerDelayMs: (name) => (name === upstreamName(inventory) ? lateMs : 0),
      awaitHealthy: false,
    });
    try {
      const started = Date.now();
      const seen = new Set<string>();
      for (;;) {
        const container = status(await httpExchange(proxy.ports.health, HEALTHZ));
        const tls = 'service' in (await proxy.tls(inventory.domain, CLIENT)) ? 'forwarded' : 'refused';
        seen.add(tls);
        if (container === 200) {
          expect(tls).toBe('forwarded');
          break;
        }
        expect(Date.now() - started).toBeLessThan(10_000);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect([...seen]).toContain('refused');
      expect(Date.now() - started).toBeGreaterThan(lateMs / 2);
      expect(proxy.nginx.output()).not.toContain('health checks open although');
    } finally {
      await proxy.stop();
    }
  }, 20_000);

  test('with a resolver that does not answer, the health checks open after the bounded wait, with a warning', async () => {
    // Answers come long after nginx's resolver_timeout (2 s locally) and the wait (readinessWaitSeconds, 3 s).
    const proxy = await startHarness(await exampleConfig(), { dnsAnswerDelayMs: 8000, awaitHealthy: false });
    try {
      const waitMs = proxy.target.readinessWaitSeconds * 1000;
      const started = Date.now();
      expect(status(await httpExchange(proxy.ports.health, HEALTHZ))).toBe(503);
      while (status(await httpExchange(proxy.ports.health, HEALTHZ)) !== 200) {
        expect(Date.now() - started).toBeLessThan(waitMs + 3000);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // Opened by the bound, not by a lookup: the service still cannot be forwarded, and the log says why.
      expect(status(await proxy.http(httpGet('orders.example.com'), CLIENT))).toBe(502);
      expect(proxy.nginx.output()).toMatch(
        /health checks open although nginx has no address for \S+ \((http|tls)\) after 3 s/,
      );
    } finally {
      await proxy.stop();
    }
  }, 20_000);
});
