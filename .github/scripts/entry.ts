// Shared by the workflow scripts: run the CLI part only when the module is the script node started.
import { pathToFileURL } from 'node:url';

/** True when the module is the script node was started with (import.meta.main needs Node 24). */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;
}
