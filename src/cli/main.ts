// lattice-ingress command-line entry: dispatches to one module per subcommand, loaded on demand.
import type { Command } from './command.ts';

const commands: Record<string, { summary: string; load: () => Promise<{ command: Command }> }> = {
  validate: {
    summary: 'check config/ and report every problem with file:line:column',
    load: () => import('./commands/validate.ts'),
  },
  diff: {
    summary: 'describe what the config change since a git ref does (Markdown, for a pull request)',
    load: () => import('./commands/diff.ts'),
  },
  schemas: {
    summary: 'generate the editor JSON Schemas of the config files (--write), or check they are current',
    load: () => import('./commands/schemas.ts'),
  },
  render: {
    summary: "write an environment's NGINX configuration (the files the proxy image ships)",
    load: () => import('./commands/render.ts'),
  },
  environments: {
    summary: 'list the environments of config/deployment.yaml (--json: the deploy matrix)',
    load: () => import('./commands/environments.ts'),
  },
  expiry: {
    summary: 'list allowlist entries that expired or expire soon; --write removes the expired ones',
    load: () => import('./commands/expiry.ts'),
  },
  revoke: {
    summary:
      'break-glass: deny a client range at the load balancers now (--lift: remove denies no longer needed)',
    load: () => import('./commands/revoke.ts'),
  },
  start: {
    summary: 'run the proxy locally behind haproxy, in front of stand-in services, and smoke-test it',
    load: () => import('./commands/start.ts'),
  },
  call: {
    summary: 'send one SigV4-signed request to a service through an endpoint, and print the curl equivalent',
    load: () => import('./commands/call.ts'),
  },
  bootstrap: {
    summary:
      'set up an environment once: CDK bootstrap, its Access stack, its GitHub environment and variables',
    load: () => import('./commands/bootstrap.ts'),
  },
  doctor: {
    summary:
      'check what the first deployment needs in AWS, GitHub and this clone, with the fix for each problem',
    load: () => import('./commands/doctor.ts'),
  },
  rollback: {
    summary: 'roll an environment back from a workstation, exactly as the rollback action does',
    load: () => import('./commands/rollback.ts'),
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return [
    'Usage: lattice-ingress <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run lattice-ingress <command> --help for its options.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const entry = commands[name];
  if (!entry) {
    console.error(`lattice-ingress: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  const { command } = await entry.load();
  try {
    return await command(rest);
  } catch (error) {
    console.error(`lattice-ingress ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
