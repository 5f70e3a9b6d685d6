// `lattice-ingress start`: validate config/, bring the local stack up on loopback, smoke-test it, then stay up
// until Ctrl-C (or exit after the checks with --once). Everything started is stopped on every way out.

import type { Service } from '../../config/model.ts';
import { runLocalChecks } from '../../local/checks.ts';
import { LOCAL_TEST_CREDENTIALS } from '../../local/sigv4.ts';
import { REFUSED_CLIENT_ADDRESS, startLocalStack } from '../../local/stack.ts';
import { Supervisor } from '../../local/supervisor.ts';
import { formatSmokeTable } from '../../smoke/index.ts';
import type { Command } from '../command.ts';
import { loadValidConfig } from '../valid-config.ts';

function port(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65_535)
    throw new Error(`${flag} must be a port number`);
  return number;
}

/** The `lattice-ingress call` line for each service, through the local load balancer, ready to paste. */
export function callCommands(
  services: readonly Service[],
  endpoint: { host: string; httpPort: number; tlsPort: number },
  caFile: string,
  configDir: string,
): string[] {
  const config = configDir === 'config' ? '' : ` --config ${configDir}`;
  return services.map((service) => {
    const tls = service.ports.includes(443);
    const target = tls
      ? `--endpoint ${endpoint.host}:${endpoint.tlsPort} --cacert ${caFile}`
      : `--port 80 --endpoint ${endpoint.host}:${endpoint.httpPort}`;
    return `node bin/lattice-ingress.mjs call ${service.name} ${target}${config}`;
  });
}

/**
 * `npm start` runs this command under `sh -c`, and npm passes a SIGTERM on to that shell only: the shell dies and
 * this process is handed to another parent. Treats that as the SIGTERM it was meant to be. Returns a canceller.
 */
function stopWhenOrphaned(): () => void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
  }, 250);
  timer.unref();
  return () => clearInterval(timer);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const indent = (text: string) =>
  text
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');

export const command: Command = async (_args, parsed) => {
  const values = parsed.values as {
    config: string;
    once: boolean;
    'http-port'?: string;
    'tls-port'?: string;
  };
  const httpPort = port(values['http-port'], '--http-port');
  const tlsPort = port(values['tls-port'], '--tls-port');

  const config = await loadValidConfig(values.config, 'Nothing was started');
  if (!config) return 1;
  const services = config.services.services;
  if (services.length === 0)
    throw new Error(`${values.config}/services.yaml lists no services: nothing to start`);
  const entries = config.allowlist.entries.length;
  console.log(
    `Configuration ${values.config}/ is valid: ${services.length} service(s), ${entries} allowlist entr${entries === 1 ? 'y' : 'ies'}.`,
  );

  const supervisor = new Supervisor();
  let up = false;
  supervisor.stopOnSignals((signal) => {
    console.log(`\n${signal}: stopping the local stack.`);
    return up ? 0 : 128 + (signal === 'SIGINT' ? 2 : 15);
  });
  const stopWatchingParent = stopWhenOrphaned();
  try {
    const started = performance.now();
    console.log('\nStarting on loopback:');
    const region = config.deployment.environments[0]?.region ?? 'us-east-1';
    const stack = await startLocalStack(config, {
      supervisor,
      httpPort,
      tlsPort,
      defaultRegion: region,
      log: (line) => console.log(`  ${line}`),
    });
    const checksStarted = performance.now();
    const results = await runLocalChecks(config, stack, region);
    const passed = results.filter((result) => result.ok).length;
    console.log(
      `\nChecks through haproxy (PROXY v2) -> nginx -> stand-ins:\n${indent(formatSmokeTable(results))}\n`,
    );
    console.log(
      `${passed} of ${results.length} checks passed (up in ${seconds(checksStarted - started)}, checks ${seconds(performance.now() - checksStarted)}).`,
    );
    if (values.once) return passed === results.length ? 0 : 1;

    const { accessKeyId, secretAccessKey, sessionToken } = LOCAL_TEST_CREDENTIALS;
    const allowed = results.filter((result) => result.expectation === 'allowed');
    const refusal = results.find((result) => result.service.endsWith(` from ${REFUSED_CLIENT_ADDRESS}`));
    console.log(
      [
        '',
        'Try it (the CA and these test credentials exist only for this stack):',
        `  export AWS_ACCESS_KEY_ID=${accessKeyId} AWS_SECRET_ACCESS_KEY=${secretAccessKey} AWS_SESSION_TOKEN=${sessionToken}`,
        ...callCommands(services, stack.endpoint, stack.ca.certFile, values.config).map(
          (line) => `  ${line}`,
        ),
        '',
        'or with curl:',
        ...allowed.map((result) => `  ${result.curl}`),
        ...(refusal ? [`  # refused: not on the allowlist\n  ${refusal.curl}`] : []),
        '',
        `Rendered config: ${stack.renderDir}`,
        `Access log:      ${stack.target.logs.access}`,
        '',
        'Up until Ctrl-C.',
      ].join('\n'),
    );
    up = true;
    // Stay up; a process that dies on its own ends the run with an error.
    const died = await Promise.race([
      stack.nginx.exited.then((status) => `nginx exited (${status}):\n${stack.nginx.output().trim()}`),
      stack.haproxy.process.exited.then(
        (status) => `haproxy exited (${status}):\n${stack.haproxy.process.output().trim()}`,
      ),
    ]);
    up = false;
    if (supervisor.stopping) return new Promise<never>(() => {}); // a signal is stopping everything; it exits
    console.error(died);
    return 1;
  } catch (error) {
    // A signal during startup stops what was started under the code still running; the handler exits.
    if (supervisor.stopping) return new Promise<never>(() => {});
    throw error;
  } finally {
    stopWatchingParent();
    await supervisor.stop();
  }
};
