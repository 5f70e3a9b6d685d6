// The CPU alarm must sit above the scaling target, or it would fire whenever the fleet works as intended.
import { defineRule } from '../rule.ts';

export const alarmCpu = defineRule({
  name: 'alarm-cpu',
  group: 'cross-file',
  reads: ['deployment', 'scaling'],
  codes: {
    'alarm-cpu-below-target': {
      severity: 'error',
      summary: "`alarms.cpuPercent` is not above scaling.yaml's `cpuTargetPercent`",
    },
  },
  check({ deployment, scaling }, _context, report) {
    deployment.environments.forEach((env, index) => {
      const threshold = env.alarms.cpuPercent;
      if (threshold === undefined || threshold > scaling.cpuTargetPercent) return;
      report(
        'alarm-cpu-below-target',
        { part: 'deployment', path: ['environments', index, 'alarms', 'cpuPercent'] },
        `alarms.cpuPercent ${threshold} is not above scaling.yaml's cpuTargetPercent ${scaling.cpuTargetPercent}`,
        `set it above ${scaling.cpuTargetPercent}, e.g. ${Math.min(100, scaling.cpuTargetPercent + 25)}`,
      );
    });
  },
});
