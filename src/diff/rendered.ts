// The rendered NGINX configuration before and after, per environment, as unified diffs.
import type { Config } from '../config/model.ts';
import {
  type CompiledAllowlist,
  compileAllowlist,
  compileAllowlists,
  type RenderTarget,
  renderProxy,
  renderTargetFor,
} from '../render/render.ts';
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
 * files. A base that is incomplete renders as empty files, so everything shows as added.
 */
export function renderedDiffs(base: Partial<Config> | undefined, head: Config): RenderedDiff[] {
  const [baseAllowlist, headAllowlist] = compiledAllowlists(base, head);
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
        diff: unifiedDiff(before.get(name) ?? '', after.get(name) ?? '', {
          from: `a/${name}`,
          to: `b/${name}`,
        }),
      }))
      .filter((file) => file.diff !== '');
    return note ? { environment: env.name, files, note } : { environment: env.name, files };
  });
}

const NO_EXTRA_ENTRIES: RenderTarget['extraAllowlist'] = [];

/**
 * The image's targets add no allowlist entries, so each side's allowlist is compiled once for every environment,
 * both sides together. A base whose allowlist does not compile is rendered without it, so that renderProxy reports
 * the problem in its own order of checks (a bad render target before a bad entry), as it would for any base.
 */
function compiledAllowlists(
  base: Partial<Config> | undefined,
  head: Config,
): [CompiledAllowlist | undefined, CompiledAllowlist] {
  const headSide = { config: head, extraAllowlist: NO_EXTRA_ENTRIES };
  if (isComplete(base)) {
    try {
      const [before, after] = compileAllowlists([
        { config: base, extraAllowlist: NO_EXTRA_ENTRIES },
        headSide,
      ]);
      return [before, after as CompiledAllowlist];
    } catch {
      // Compiled alone below: the head's own problem, if it has one, is thrown from there.
    }
  }
  return [undefined, compileAllowlist(head, NO_EXTRA_ENTRIES)];
}

function isComplete(config: Partial<Config> | undefined): config is Config {
  return (
    config?.allowlist !== undefined &&
    config.services !== undefined &&
    config.scaling !== undefined &&
    config.deployment !== undefined
  );
}
