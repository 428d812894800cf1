import { lstat, readlink } from 'node:fs/promises';

/** The only snapshot ref for now: the host's own userland, read-only. */
export const HOST_SNAPSHOT_REF = 'host';

const HOST_USERLAND = ['/usr', '/etc'];
// Merged-/usr hosts have these as symlinks into /usr; older layouts have real directories.
const TOP_LEVEL_LINKS = ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32'];

/** bwrap mount arguments for the `host` snapshot, read from this host's root once at start. */
export async function hostSnapshotMounts(): Promise<string[]> {
  const args = HOST_USERLAND.flatMap((dir) => ['--ro-bind', dir, dir]);
  for (const entry of TOP_LEVEL_LINKS) {
    const stats = await lstat(entry).catch(() => null);
    if (!stats) continue;
    if (stats.isSymbolicLink()) args.push('--symlink', await readlink(entry), entry);
    else if (stats.isDirectory()) args.push('--ro-bind', entry, entry);
  }
  return args;
}
