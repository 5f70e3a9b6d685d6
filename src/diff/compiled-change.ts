// A change's base and head allowlists compiled once for both parts of its plan that need them: the access section
// (what each network may reach before and after) and the rendered diff (each side's compiled allowlist).
import {
  type AllowlistToCompile,
  type CompiledAccess,
  compileAccessChange,
  compileAccessOfEach,
  type ReachChange,
  reachBeforeAndAfter,
} from '../access/access-groups.ts';
import type { Cidr } from '../config/cidr.ts';
import type { Config } from '../config/model.ts';
import {
  type AllowlistSide,
  accessSideOf,
  type CompiledAllowlist,
  IMAGE_EXTRA_ALLOWLIST,
  withAllowlistFile,
} from '../render/render.ts';

/** The base's compiled allowlist is undefined when the base is incomplete or does not compile. */
export type SideAllowlists = [CompiledAllowlist | undefined, CompiledAllowlist];

export interface CompiledChange {
  /** reachBeforeAndAfter of the base's and the head's entries, for planChange. */
  reach: ReachChange[];
  /** For renderedDiffs. */
  allowlists: SideAllowlists;
}

/** Both sides' allowlists and what each network may reach before and after, from one sweep when the base compiles. */
export function compileChange(base: Partial<Config> | undefined, head: Config): CompiledChange {
  const sides = sidesOf(base, head);
  if (!sides.base) {
    return {
      reach: reachBeforeAndAfter(base?.allowlist?.entries ?? [], head.allowlist.entries),
      allowlists: [undefined, compiledAlone(sides.head)],
    };
  }
  const { compiled, reach } = compileAccessChange(sides.base.access, sides.head.access);
  return { reach, allowlists: withFiles(sides.base, sides.head, compiled) };
}

/** Both sides' allowlists for renderedDiffs alone, compiled together when the base compiles. */
export function compiledAllowlists(base: Partial<Config> | undefined, head: Config): SideAllowlists {
  const sides = sidesOf(base, head);
  if (!sides.base) return [undefined, compiledAlone(sides.head)];
  const [before, after] = compileAccessOfEach([sides.base.access, sides.head.access]);
  return withFiles(sides.base, sides.head, [before as CompiledAccess, after as CompiledAccess]);
}

export function isComplete(config: Partial<Config> | undefined): config is Config {
  return (
    config?.allowlist !== undefined &&
    config.services !== undefined &&
    config.scaling !== undefined &&
    config.deployment !== undefined
  );
}

interface Side {
  side: AllowlistSide;
  access: Required<AllowlistToCompile>;
}

/**
 * The head's side (throwing if it does not compile, as rendering it would), and the base's unless it is incomplete
 * or an entry is not canonical: renderProxy then reports the problem in its own order of checks (a bad render
 * target before a bad entry), as it would for any base.
 */
function sidesOf(base: Partial<Config> | undefined, head: Config): { base?: Side; head: Side } {
  const headSide = { config: head, extraAllowlist: IMAGE_EXTRA_ALLOWLIST };
  const headAccess = { side: headSide, access: accessSideOf(headSide) };
  if (!isComplete(base)) return { head: headAccess };
  const baseSide = { config: base, extraAllowlist: IMAGE_EXTRA_ALLOWLIST };
  // The head's networks, checked already: the base shares nearly all of them.
  const { entries, networks } = headAccess.access;
  const checked = new Map<string, Cidr>();
  entries.forEach((entry, i) => {
    checked.set(entry.cidr, networks[i] as Cidr);
  });
  try {
    return { base: { side: baseSide, access: accessSideOf(baseSide, checked) }, head: headAccess };
  } catch {
    return { head: headAccess };
  }
}

function compiledAlone(head: Side): CompiledAllowlist {
  return withAllowlistFile(head.side, compileAccessOfEach([head.access])[0] as CompiledAccess);
}

function withFiles(
  base: Side,
  head: Side,
  [before, after]: [CompiledAccess, CompiledAccess],
): SideAllowlists {
  return [withAllowlistFile(base.side, before), withAllowlistFile(head.side, after)];
}
