// The service's task count: minTasks <= desiredTasks <= maxTasks, and more than one task so that a replacement or an
// Availability Zone failure leaves a proxy running.
import { defineRule } from '../rule.ts';

export const taskCount = defineRule({
  name: 'task-count',
  group: 'scaling',
  reads: ['scaling'],
  codes: {
    'scaling-min-above-max': { severity: 'error', summary: '`minTasks` is greater than `maxTasks`' },
    'scaling-desired-out-of-range': {
      severity: 'error',
      summary: '`desiredTasks` is outside `minTasks..maxTasks`',
    },
    'scaling-single-task': {
      severity: 'warning',
      summary: '`minTasks: 1` leaves no proxy during a replacement or an AZ failure',
    },
  },
  check({ scaling }, _context, report) {
    const { minTasks, maxTasks, desiredTasks } = scaling;
    if (minTasks > maxTasks) {
      report(
        'scaling-min-above-max',
        { part: 'scaling', path: ['minTasks'] },
        `minTasks (${minTasks}) is greater than maxTasks (${maxTasks})`,
        'make minTasks <= maxTasks',
      );
    }
    if (desiredTasks !== undefined && (desiredTasks < minTasks || desiredTasks > maxTasks)) {
      report(
        'scaling-desired-out-of-range',
        { part: 'scaling', path: ['desiredTasks'] },
        `desiredTasks (${desiredTasks}) is outside minTasks..maxTasks (${minTasks}..${maxTasks})`,
        'choose a value between minTasks and maxTasks, or omit desiredTasks',
      );
    }
    if (minTasks < 2) {
      report(
        'scaling-single-task',
        { part: 'scaling', path: ['minTasks'] },
        'minTasks is 1: a task replacement or an Availability Zone failure leaves no proxy running',
        'use minTasks: 2 or more',
      );
    }
  },
});
