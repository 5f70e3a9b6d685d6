// Whether the npm packages need installing, told from what npm itself recorded.

/**
 * Whether node_modules holds exactly the lock file's packages. npm ci and npm install record what they installed
 * in node_modules/.package-lock.json; comparing with it (not with a stamp of our own) means that the `npm ci` of
 * the quick start is not followed by a second one.
 */
export function installedMatchesLock(lock, installed) {
  if (!installed?.packages) return false;
  return Object.entries(lock.packages ?? {}).every(([path, wanted]) => {
    if (path === '' || !path.startsWith('node_modules/')) return true;
    const have = installed.packages[path];
    if (!have) return Boolean(wanted.optional || wanted.peer || wanted.devOptional);
    return have.version === wanted.version;
  });
}
