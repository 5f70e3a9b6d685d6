// `lattice-ingress bootstrap --env NAME`: the one-time setup of an environment from a workstation. Translates flags
// into the bootstrap operation (src/operations/bootstrap.ts) and its outcome into lines and the exit code
// (src/cli/bootstrap/report.ts); what it reaches is src/cli/bootstrap/ports.ts.
import { bootstrap } from '../../operations/bootstrap.ts';
import { bootstrapPorts } from '../bootstrap/ports.ts';
import { reportBootstrap } from '../bootstrap/report.ts';
import { type Command, UsageError } from '../command.ts';

export const command: Command = async (_args, { values }) => {
  const name = values.env as string | undefined;
  if (!name) throw new UsageError('--env is required', 'name the environment to set up: --env NAME');
  const profile = values.profile as string | undefined;
  const executionPolicy = values['execution-policy'] as string | undefined;
  const configDir = values.config as string;
  const outcome = await bootstrap(
    {
      environment: name,
      ...(profile ? { profile } : {}),
      ...(executionPolicy ? { executionPolicy } : {}),
    },
    bootstrapPorts(configDir),
  );
  return reportBootstrap(outcome, configDir);
};
