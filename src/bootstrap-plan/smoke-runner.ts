// The self-hosted smoke runner, as far as GitHub shows it. The verify job runs the project's actions, which declare
// `runs: using: node24`; a runner older than the first release that runs node24 actions fails that job with
// "'using: node24' is not supported". GitHub's runner list does not report versions, so doctor checks that a runner
// with the label is registered and online, and names the minimum version to check on its host.
import type { Finding } from './finding.ts';

/**
 * The first actions/runner release that runs `using: node24` actions (v2.327.1; the runner's release notes and
 * actions/checkout's README name it). Self-hosted runners update themselves unless started with --disableupdate.
 */
export const MIN_RUNNER_VERSION_FOR_NODE24 = '2.327.1';

/** A self-hosted runner as GET /repos/{owner}/{repo}/actions/runners lists it. */
export interface Runner {
  name: string;
  status: string;
  labels: string[];
}

const versionCheck = `check on its host that the runner is ${MIN_RUNNER_VERSION_FOR_NODE24} or newer (./config.sh --version): older runners cannot run the node24 actions of the verify job`;

export function smokeRunnerFindings(label: string, runners: readonly Runner[] | undefined): Finding[] {
  const check = `self-hosted smoke runner "${label}" is registered and online (runner ${MIN_RUNNER_VERSION_FOR_NODE24} or newer)`;
  if (runners === undefined) {
    return [
      {
        ok: false,
        warning: true,
        check,
        fix: `GitHub did not list the runners (admin rights needed); ${versionCheck}`,
      },
    ];
  }
  const labelled = runners.filter((runner) => runner.labels.includes(label));
  if (labelled.length === 0) {
    return [
      {
        ok: false,
        check,
        fix: `no runner of this repository has the label ${label}: register one on an allowlisted host (Settings -> Actions -> Runners) with --labels ${label}, version ${MIN_RUNNER_VERSION_FOR_NODE24} or newer`,
      },
    ];
  }
  const online = labelled.filter((runner) => runner.status === 'online');
  if (online.length === 0) {
    return [
      {
        ok: false,
        check,
        fix: `${labelled.map((runner) => runner.name).join(', ')} ${labelled.length === 1 ? 'is' : 'are'} offline: start the runner service on its host; ${versionCheck}`,
      },
    ];
  }
  return [
    {
      ok: true,
      check: `self-hosted smoke runner "${label}" is online (${online.map((r) => r.name).join(', ')})`,
    },
    {
      ok: false,
      warning: true,
      check: `runner version ${MIN_RUNNER_VERSION_FOR_NODE24} or newer`,
      fix: versionCheck,
    },
  ];
}
