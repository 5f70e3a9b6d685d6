// How far a request travels: from an entry (an action or a CLI command) into its operation, and from there to the
// modules the operation hands its work to. Measured on the runtime import graph (type-only imports, such as the
// ports an adapter implements, load nothing and are not part of the route).
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { type Import, onlyTypes } from './imports.ts';
import type { Layer } from './layers.ts';

const RELATIVE = /^\s*(?:import|export)\s([^;]*?)\sfrom\s+'(\.[^']+)'/gm;

/** The relative imports of one file that load something at run time, in the order written. */
export function runtimeImportsOf(path: string, text: string): Import[] {
  return [...text.matchAll(RELATIVE)]
    .filter((match) => !onlyTypes(match[1] as string))
    .map((match) => ({
      from: path,
      to: normalize(join(dirname(path), match[2] as string)),
      line: text.slice(0, match.index).split('\n').length,
    }));
}

export function readRuntimeImports(root: string, files: readonly string[]): Import[] {
  return files.flatMap((file) => runtimeImportsOf(file, readFileSync(join(root, file), 'utf8')));
}

export interface Route {
  /** The entry, the operation, then what the operation imports at run time, in the order written. */
  steps: string[];
  /** Whether the entry imports the operation itself (one step in). */
  direct: boolean;
  /** The layers.ts folders the route passes through. */
  folders: string[];
  /** Steps into a folder of an outer layer than the step before. */
  climbs: number;
}

function layerOf(layers: readonly Layer[], path: string): { index: number; folder: string } {
  let best = { index: -1, folder: '' };
  layers.forEach((layer, index) => {
    for (const folder of layer.folders) {
      if (path.startsWith(`${folder}/`) && folder.length > best.folder.length) best = { index, folder };
    }
  });
  return best;
}

/** The route of a request handed by `entry` to `operation`. */
export function routeOf(
  layers: readonly Layer[],
  imports: readonly Import[],
  entry: string,
  operation: string,
): Route {
  const direct = imports.some((i) => i.from === entry && i.to === operation);
  const handedTo = imports.filter((i) => i.from === operation).map((i) => i.to);
  const steps = [entry, operation, ...new Set(handedTo)];
  const places = steps.map((step) => layerOf(layers, step));
  const climbs = places.filter((place, i) => i > 0 && place.index > (places[i - 1]?.index ?? 0)).length;
  return { steps, direct, folders: [...new Set(places.map((place) => place.folder))], climbs };
}

export const formatRoute = (route: Route) =>
  `${route.direct ? 'one step in' : 'NOT one step in'}, ${route.folders.length} folders (${route.folders.join(', ')}), ${route.climbs} climb(s)`;
