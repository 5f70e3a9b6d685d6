// `lattice-ingress doctor`: checks what the first deployment needs, in AWS, GitHub and this clone, and says how to
// fix each problem; changes nothing. Translates flags into the doctor operation (src/operations/doctor.ts), shows
// each section as it is checked and the verdict as the exit code (src/cli/bootstrap/report.ts).
import { doctor } from '../../operations/doctor.ts';
import { styleFor } from '../../render/report.ts';
import { doctorPorts } from '../bootstrap/ports.ts';
import { reportDoctor, sectionPrinter } from '../bootstrap/report.ts';
import type { Command } from '../command.ts';

export const command: Command = async (_args, { values }) => {
  const style = styleFor();
  const configDir = values.config as string;
  const request = {
    environments: (values.env as string[] | undefined) ?? [],
    profiles: (values.profile as string[] | undefined) ?? [],
  };
  const outcome = await doctor(request, doctorPorts(configDir, sectionPrinter(style)));
  return reportDoctor(outcome, configDir, style);
};
