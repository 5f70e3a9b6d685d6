// The nginx builds this machine can run the rendered configuration on: Debian bookworm's nginx 1.22 (the
// `debian` rendering) and, when setup built it, nginx 1.30 from a Debian forky root (the `image` rendering, as
// the image ships it on nginx >= 1.27.3).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEBIAN_STREAM_MODULE, type NginxFlavour } from '../render/render.ts';

export interface NginxBuild {
  /** Which rendering this build runs. */
  flavour: NginxFlavour;
  /** For test names and reports, e.g. "nginx 1.30.6 (Debian forky), image rendering". */
  label: string;
  /** The argv that runs nginx; nginx's own arguments follow. */
  command: readonly string[];
  /** -g directives the build needs besides the rendered file. */
  globals: string;
}

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where scripts/setup/forky.mjs builds the root and says whether it succeeded. */
export const FORKY_DIR = join(REPO_ROOT, '.tmp', 'forky');
export const FORKY_ROOT = join(FORKY_DIR, 'root');

export function debianNginx(): NginxBuild {
  return {
    flavour: 'debian',
    label: 'nginx 1.22 (Debian bookworm), debian rendering',
    command: ['nginx'],
    globals: '',
  };
}

/**
 * nginx 1.30 from the forky root, run through the root's own loader and libraries (it needs forky's glibc and
 * OpenSSL), so it sees this machine's files without a chroot. Its stream module is loadable, where the official
 * image has it built in: a -g load_module adds it without touching the rendered file.
 */
export function forkyNginx(): NginxBuild | { unavailable: string } {
  let status: { ready?: boolean; nginx?: string; reason?: string };
  try {
    status = JSON.parse(readFileSync(join(FORKY_DIR, 'status.json'), 'utf8'));
  } catch {
    return { unavailable: 'no nginx 1.30 root: run `npm run setup` as root' };
  }
  if (!status.ready) return { unavailable: `no nginx 1.30 root: ${status.reason}` };
  const root = FORKY_ROOT;
  return {
    flavour: 'image',
    label: `nginx ${status.nginx} (Debian forky), image rendering`,
    command: [
      join(root, 'lib64/ld-linux-x86-64.so.2'),
      '--library-path',
      join(root, 'usr/lib/x86_64-linux-gnu'),
      join(root, 'usr/sbin/nginx'),
    ],
    globals: `load_module ${join(root, DEBIAN_STREAM_MODULE)};`,
  };
}
