import { chmod, chown, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SandboxDisk {
  /** Sparse file holding the sandbox's filesystem, made at its first start. */
  image: string;
  /** Where it is mounted while the sandbox runs. */
  mountPoint: string;
  /** The filesystem's size: the sandbox's `disk`. */
  sizeBytes: number;
  /** A directory whose entries (with their owners and modes) the new filesystem starts with. */
  template: string;
}

/** Below this ext4 has no room for its own metadata and a journal. */
export const MIN_DISK_BYTES = 64 * 1024 ** 2;

/**
 * argv that mounts the sandbox's own filesystem, making it first if it does not exist yet, then
 * execs `argv`. It runs in the launcher (root, after it joined the cgroups), so a start costs the
 * runner no extra process and starts make their disks in parallel.
 *
 * ext4 on a sparse file on a loop device, sized to `disk`: writing past it is ENOSPC inside, and
 * nothing else on the host fills up. No reserved blocks (`-m 0`: root inside is mounter-root to
 * ext4 through the overlay, and would otherwise get 5% more), lazy inode tables and journal that
 * nothing zeroes (`noinit_itable`: a new file is holes already), so a 10 GiB disk costs about 1 MB
 * and a few milliseconds. Made under another name and renamed, so a half-made disk is never used.
 * The loop device goes with the mount (util-linux sets autoclear).
 */
export function mountDiskThen(disk: SandboxDisk, argv: string[]): string[] {
  const script =
    'img=$1 dir=$2 size=$3 template=$4; shift 4; ' +
    'if [ ! -e "$img" ]; then ' +
    'rm -f "$img.new" && truncate -s "$size" "$img.new" && ' +
    'mkfs.ext4 -q -F -m 0 -J size=4 -E lazy_itable_init=1,lazy_journal_init=1,nodiscard -d "$template" "$img.new" && ' +
    'mv "$img.new" "$img" || { rm -f "$img.new"; exit 126; }; fi; ' +
    'mount -o loop,nodev,noinit_itable -- "$img" "$dir" || exit 126; exec "$@"';
  return ['/bin/sh', '-c', script, 'sh', disk.image, disk.mountPoint, String(Math.max(MIN_DISK_BYTES, Math.round(disk.sizeBytes))), disk.template, ...argv];
}

export interface TemplateEntry {
  name: string;
  uid: number;
  gid: number;
  mode: number;
}

/**
 * A directory holding `entries` (empty directories with these owners and modes), made once under
 * `dir` and reused: what a sandbox's disk starts with (mkfs.ext4 -d copies it).
 */
export async function diskTemplate(dir: string, entries: TemplateEntry[]): Promise<string> {
  const key = entries.map((entry) => `${entry.name}-${entry.uid}-${entry.gid}-${entry.mode.toString(8)}`).join('_');
  const template = path.join(dir, key);
  if (await stat(template).then(() => true, () => false)) return template;
  const tmp = `${template}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(tmp, { recursive: true });
  // The filesystem's root takes this mode: sandbox users pass through it to their home.
  await chmod(tmp, 0o711);
  for (const entry of entries) {
    const entryPath = path.join(tmp, entry.name);
    await mkdir(entryPath);
    await chown(entryPath, entry.uid, entry.gid);
    await chmod(entryPath, entry.mode);
  }
  await rename(tmp, template).catch(async (error: NodeJS.ErrnoException) => {
    // Made meanwhile by another start.
    await rm(tmp, { recursive: true, force: true });
    if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
  });
  return template;
}
