// The content hash behind cfg-<hash> tags: the same rendered proxy files and build inputs give the same hash on
// every machine, so an unchanged configuration reuses the image that is already in the registry.
import { createHash } from 'node:crypto';

/**
 * sha256 over every file's path and bytes, in byte order of the paths. Each entry is framed as
 * `<path>\0<length>\0<bytes>` so no two different file sets hash the same (moving bytes between files or
 * renaming a file changes the hash).
 */
export function contentHash(files: ReadonlyMap<string, string | Uint8Array>): string {
  const hash = createHash('sha256');
  const paths = [...files.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (const path of paths) {
    const content = files.get(path) ?? '';
    const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    hash.update(`${path}\0${bytes.byteLength}\0`);
    hash.update(bytes);
  }
  return hash.digest('hex');
}
