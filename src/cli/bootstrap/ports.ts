// The ports of bootstrap and doctor on a workstation: config/ read and checked, and the aws, cdk, gh and git CLIs
// (./observe.ts), with progress on the terminal.

import { openConfigDir } from '../../config/valid-config.ts';
import type { BootstrapPorts, SetupPorts } from '../../operations/bootstrap.ts';
import type { DoctorPorts, DoctorSection } from '../../operations/doctor.ts';
import {
  available,
  observeAws,
  observeEndpointAssociations,
  observeGithub,
  observeIngressOutputs,
  originRemote,
  runStep,
  toolPath,
} from './observe.ts';

function setupPorts(configDir: string): SetupPorts {
  return {
    open: () => openConfigDir(configDir),
    installed: (program) => toolPath(program) !== undefined,
    observeAws,
    // Progress on stdout with the commands' own output; warnings on stderr, as every command shows them.
    log: { info: (message) => console.log(message), warning: (message) => console.error(message) },
  };
}

export function bootstrapPorts(configDir: string): BootstrapPorts {
  return { ...setupPorts(configDir), originRemote, ghRuns: () => available('gh'), run: runStep };
}

export function doctorPorts(configDir: string, checked: (section: DoctorSection) => void): DoctorPorts {
  return {
    ...setupPorts(configDir),
    observeGithub,
    observeIngressOutputs,
    observeEndpointAssociations,
    checked,
  };
}
