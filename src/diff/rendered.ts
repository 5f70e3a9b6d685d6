// The rendered NGINX configuration before and after, per environment, as unified diffs.
import type { Config } from '../config/model.ts';
import { renderProxy, renderTargetFor } from '../render/render.ts';
import { compiledAllowlists, isComplete, type SideAllowlists } from './compiled-change.ts';
import { unifiedDiff } from './line-diff.ts';

export interface RenderedDiff {
  environment: string;
  /** Unified diffs, one per changed file (empty when nothing changed). */
  files: { name: string; diff: string }[];
  /** Set when a side could not be rendered. */
  note?: string;
}

/**
 * Renders each head environment with the base and the head config (the deployed image's target) and diffs the
 * files. A base that is incomplete renders as empty files, so everything shows as added. `allowlists`: both sides'
 * compiled allowlists, when the caller has them from compileChange.
 */
export function renderedDiffs(
  base: Partial<Config> | undefined,
  head: Config,
  [baseAllowlist, headAllowlist]: SideAllowlists = compiledAllowlists(base, head),
): RenderedDiff[] {
  // allowlist.conf is the same text in every environment: the diff of its 100,000 lines is made once.
  const previous = new Map<string, { before: string; after: string; diff: string }>();
  const diffOf = (name: string, before: string, after: string) => {
    const seen = previous.get(name);
    if (seen?.before === before && seen.after === after) return seen.diff;
    const diff = unifiedDiff(before, after, { from: `a/${name}`, to: `b/${name}` });
    previous.set(name, { before, after, diff });
    return diff;
  };
  return head.deployment.environments.map((env) => {
    const target = renderTargetFor(env);
    const after = renderProxy(head, target, headAllowlist);
    let before = new Map<string, string>();
    let note: string | undefined;
    if (isComplete(base)) {
      try {
        before = renderProxy(
          base,
          renderTargetFor(base.deployment.environments.find((e) => e.name === env.name) ?? env),
          baseAllowlist,
        );
      } catch (error) {
        note = `the base version could not be rendered (${error instanceof Error ? error.message : String(error)})`;
      }
    } else {
      note = 'the base version has no complete configuration; every line shows as added';
    }
    const names = [...new Set([...before.keys(), ...after.keys()])].sort();
    const files = names
      .map((name) => ({
        name,
        diff: diffOf(name, before.get(name) ?? '', after.get(name) ?? ''),
      }))
      .filter((file) => file.diff !== '');
    return note ? { environment: env.name, files, note } : { environment: env.name, files };
  });
}
