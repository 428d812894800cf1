import { chmod, chown, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SandboxDisk {
  /** Sparse file holding the sandbox's filesystem, made at its first start. */
  image: string;
  /** Where it is mounted while the sandbox runs (in the sandbox's own mount namespace). */
  mountPoint: string;
  /** Where the launch notes the loop device it took, so the device can be checked and freed later. */
  deviceRecord: string;
  /** The filesystem's size: the sandbox's `disk`. */
  sizeBytes: number;
  /** A directory whose entries (with their owners and modes) the new filesystem starts with. */
  template: string;
}

/** Below this ext4 has no room for its own metadata and a journal. */
export const MIN_DISK_BYTES = 64 * 1024 ** 2;

/**
 * argv that gives the launch a mount namespace of its own, mounts the sandbox's filesystem there
 * (making it first if it does not exist yet) with `mounter` (disk-mount.c), then execs `argv`. It
 * runs in the launcher (root, after it joined the cgroups), so a start costs the runner no extra
 * process and starts make their disks in parallel.
 *
 * The mounts are made in that private namespace, never in the runner's: the host's mount table
 * stays as small with 1,000 sandboxes as with none, so neither mount, mkfs nor bwrap (which copy or
 * read the whole table) slow down as sandboxes pile up, and the mounts go with the last process of
 * the sandbox, the loop device with them: none is left behind when the runner dies.
 *
 * ext4 on a sparse file, sized to `disk`: writing past it is ENOSPC inside, and nothing else on
 * the host fills up. No reserved blocks (`-m 0`: root inside is mounter-root to ext4 through the
 * overlay, and would otherwise get 5% more), lazy inode tables and journal that nothing zeroes
 * (`noinit_itable`: a new file is holes already), so a 10 GiB disk costs about 1 MB and a few
 * milliseconds. Made under another name and renamed, so a half-made disk is never used.
 */
export function mountDiskThen(disk: SandboxDisk, mounter: string, argv: string[]): string[] {
  const script =
    'img=$1 dir=$2 size=$3 template=$4 record=$5 mounter=$6; shift 6; ' +
    'if [ ! -e "$img" ]; then ' +
    'rm -f "$img.new" && truncate -s "$size" "$img.new" && ' +
    'mkfs.ext4 -q -F -m 0 -J size=4 -E lazy_itable_init=1,lazy_journal_init=1,nodiscard -d "$template" "$img.new" && ' +
    'mv "$img.new" "$img" || { rm -f "$img.new"; exit 126; }; fi; ' +
    '"$mounter" "$img" "$dir" "$record" || exit 126; exec "$@"';
  return [
    'unshare', '--mount', '--propagation', 'private', '--',
    '/bin/sh', '-c', script, 'sh',
    disk.image, disk.mountPoint, String(Math.max(MIN_DISK_BYTES, Math.round(disk.sizeBytes))), disk.template, disk.deviceRecord, mounter,
    ...argv,
  ];
}

// After a sandbox's last process is gone its disk is free at once; a straggler gets this long.
const RELEASE_WAIT_MS = 2_000;

/**
 * Waits until no loop device holds the sandbox's disk image any more, once none of its processes
 * runs: a second mount of it through another device would corrupt it. The device of the last
 * start goes with its mount namespace (disk-mount.c sets autoclear), so this normally returns at
 * once. Throws when the device stays bound (then something outside the sandbox holds it).
 */
export async function releaseDisk(disk: Pick<SandboxDisk, 'image' | 'deviceRecord'>): Promise<void> {
  const device = await readFile(disk.deviceRecord, 'utf8').then((text) => text.trim(), () => null);
  if (!device || !/^\/dev\/loop\d+$/.test(device)) return;
  const holds = async () => (await readFile(`/sys/block/${path.basename(device)}/loop/backing_file`, 'utf8').catch(() => '')).trim() === disk.image;
  const giveUp = Date.now() + RELEASE_WAIT_MS;
  while (await holds()) {
    if (Date.now() > giveUp) throw new Error(`${device} still holds ${disk.image}: something outside the sandbox uses its disk`);
    await sleep(20);
  }
  await rm(disk.deviceRecord, { force: true });
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
