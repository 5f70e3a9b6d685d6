// `lattice-ingress revoke`: break-glass, from a workstation or the revoke workflow. Translates flags into the
// revoke, lift or list operation (src/operations/) and its outcome into the exit code; what it shows and writes is
// src/cli/revoke/report.ts, what it reaches src/cli/revoke/ports.ts.
import { userInfo } from 'node:os';
import { lift } from '../../operations/lift.ts';
import { listRevocations, type RevocationPorts, revoke } from '../../operations/revoke.ts';
import { type Command, type FlagValues, UsageError } from '../command.ts';
import { type ConfigRead, readOnce, revocationPorts } from '../revoke/ports.ts';
import { printLift, printList, reportRevocation } from '../revoke/report.ts';

export const command: Command = async (_args, { values }) => {
  const readConfig = readOnce(values.config as string);
  const ports = revocationPorts(values.config as string, readConfig, values.profile as string | undefined);
  return revokeCommand(values, ports, readConfig);
};

async function revokeCommand(
  values: FlagValues,
  ports: RevocationPorts,
  readConfig: () => ConfigRead,
): Promise<number> {
  const name = values.env as string | undefined;
  if (!name) throw new UsageError('--env is required', 'name the environment: --env NAME');
  if (values.list) {
    const listed = await listRevocations(name, ports);
    return printList(listed);
  }
  if (values.lift) {
    const lifted = await lift(name, ports);
    return printLift(lifted, name);
  }
  requireRevocationFlags(values);
  const request = {
    environment: name,
    cidr: values.cidr as string,
    who: process.env.GITHUB_ACTOR ?? userInfo().username,
    why: values.reason as string,
    changeAllowlist: values['write-allowlist'] === true,
  };
  const destinations = {
    configDir: values.config as string,
    readConfig,
    bodyFile: values['pull-request-body'] as string,
  };
  const outcome = await revoke(request, ports);
  return reportRevocation(outcome, destinations);
}

/** A revocation needs a range and a reason; the shared parser has checked the reason is one line of text. */
function requireRevocationFlags(values: FlagValues): void {
  if (!values.cidr)
    throw new UsageError('--cidr is required', 'give the client range to deny, e.g. --cidr 203.0.113.16/28');
  if (!values.reason) throw new UsageError('--reason is required', 'say why in one line: --reason TEXT');
}
