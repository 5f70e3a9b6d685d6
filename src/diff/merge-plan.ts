// What merging a head configuration onto a base would change, as a pull request shows it: the change plan and the
// rendered NGINX diff of every environment, the two allowlists compiled once for both.
import type { Config } from '../config/model.ts';
import { compileChange } from './compiled-change.ts';
import { type ConfigPlan, planChange } from './plan.ts';
import { type RenderedDiff, renderedDiffs } from './rendered.ts';

export interface MergePlan {
  change: ConfigPlan;
  rendered: RenderedDiff[];
}

/** `base` only has to parse (parseConfigParts): an entry that has expired since must still show as removed. */
export function planMerge(base: Partial<Config>, head: Config): MergePlan {
  const { reach, allowlists } = compileChange(base, head);
  return { change: planChange(base, head, reach), rendered: renderedDiffs(base, head, allowlists) };
}
