// Types of ./npm.mjs (setup runs before node_modules exists, so it is plain JavaScript).
interface Lock {
  packages?: Record<
    string,
    { version?: string; optional?: boolean; peer?: boolean; devOptional?: boolean; name?: string }
  >;
}
export function installedMatchesLock(lock: Lock | undefined, installed: Lock | undefined): boolean;
