// Fargate offers fixed CPU and memory pairs; any other pair fails only at deployment, so it is refused here.
import { FARGATE_SIZES } from '../../model.ts';
import { defineRule } from '../rule.ts';

export const fargateSize = defineRule({
  name: 'fargate-size',
  group: 'scaling',
  reads: ['scaling'],
  codes: {
    'fargate-size': {
      severity: 'error',
      summary: '`taskMemoryMiB` not offered by Fargate for `taskCpu`; the hint lists the valid sizes',
    },
  },
  check({ scaling }, _context, report) {
    const { taskCpu, taskMemoryMiB } = scaling;
    const memory = FARGATE_SIZES[taskCpu] ?? [];
    if (memory.includes(taskMemoryMiB)) return;
    const fits = Object.entries(FARGATE_SIZES)
      .filter(([, sizes]) => sizes.includes(taskMemoryMiB))
      .map(([cpu]) => cpu);
    report(
      'fargate-size',
      { part: 'scaling', path: ['taskMemoryMiB'] },
      `Fargate has no task size with taskCpu ${taskCpu} and taskMemoryMiB ${taskMemoryMiB}`,
      `with taskCpu ${taskCpu} use one of ${memory.join(', ')}${fits.length ? `; ${taskMemoryMiB} MiB fits taskCpu ${fits.join(' or ')}` : ''}`,
    );
  },
});
