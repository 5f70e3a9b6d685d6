// What bootstrap and doctor show of their outcomes on the terminal, and their exit codes.

import type { Finding } from '../../bootstrap-plan/finding.ts';
import { shellLine } from '../../bootstrap-plan/plan.ts';
import type { BootstrapOutcome } from '../../operations/bootstrap.ts';
import type { DoctorOutcome, DoctorSection } from '../../operations/doctor.ts';
import type { Style } from '../../render/report.ts';
import { UsageError } from '../command.ts';
import { reportInvalidConfig } from '../valid-config.ts';

export function reportBootstrap(outcome: BootstrapOutcome, configDir: string): number {
  if (outcome.state === 'completed') {
    const env = outcome.environment;
    if (outcome.githubByHand) {
      console.log(
        `\ngh (the GitHub CLI) is not installed. Run these, signed in to GitHub with admin rights on ${env.github.repository}:`,
      );
      for (const step of outcome.githubByHand) console.log(`  ${shellLine(step.argv)}`);
      console.log('\nThen check everything with: lattice-ingress doctor');
      return 0;
    }
    console.log(
      `\n${env.name} is bootstrapped. Add required reviewers in Settings -> Environments if you want them, then check with: lattice-ingress doctor --env ${env.name}`,
    );
    return 0;
  }
  if (outcome.state === 'failed') {
    if (outcome.step) {
      console.log(
        `failed (${outcome.reason}); fix the cause and run bootstrap again: every step can be repeated`,
      );
    } else console.error(`lattice-ingress bootstrap: ${outcome.reason}`);
    return 1;
  }
  if (outcome.cause === 'configuration')
    reportInvalidConfig(configDir, outcome.diagnostics, 'Nothing was changed');
  else if (outcome.cause === 'environment') console.error(`lattice-ingress bootstrap: ${outcome.reason}`);
  else {
    console.error(`Cannot bootstrap ${outcome.environment}; nothing was changed:`);
    for (const problem of outcome.problems) console.error(`  - ${problem.what}\n    fix: ${problem.fix}`);
  }
  return 1;
}

/** Shows doctor's sections as they are checked: the repository's first, then each environment's. */
export function sectionPrinter(style: Style): (section: DoctorSection) => void {
  let first = true;
  return (section) => {
    const title = `${first ? '' : '\n'}${section.heading}:`;
    console.log(
      `${style.bold(title)}\n${section.findings.map((finding) => line(finding, style)).join('\n')}`,
    );
    first = false;
  };
}

function line(finding: Finding, style: Style): string {
  const mark = finding.ok ? style.ok('ok  ') : finding.warning ? style.warn('warn') : style.fail('FAIL');
  return `  ${mark}  ${finding.check}${finding.fix ? `\n        ${style.dim('fix:')} ${finding.fix}` : ''}`;
}

/** Doctor's verdict after its sections; a request that does not fit the configuration is a usage error. */
export function reportDoctor(outcome: DoctorOutcome, configDir: string, style: Style): number {
  if (outcome.state === 'checked') {
    const { failed } = outcome;
    console.log(
      failed === 0
        ? style.ok('\nEverything checked is in place.')
        : style.fail(`\n${failed} check(s) failed.`),
    );
    return failed === 0 ? 0 : 1;
  }
  if (outcome.cause === 'request') throw new UsageError(outcome.reason, outcome.fix);
  reportInvalidConfig(configDir, outcome.diagnostics, 'Nothing was checked');
  return 1;
}
