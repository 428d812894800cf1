import { chmod, chown, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runTool } from '../../images/run-tool.js';

/**
 * Each sandbox (of an image, or `host` under a root runner) has a filesystem of its own: ext4 in a
 * sparse file sized to its `disk`, mounted through a loop device by sandbox-launch.c in the
 * sandbox's own mount namespace. Writing past it is ENOSPC inside, and nothing else on the host
 * fills up. The mounts never appear in the runner's namespace: the host's mount table stays as
 * small with 1,000 sandboxes as with none (mount, mkfs and bwrap read or copy all of it), and they
 * go with the sandbox's last process, the loop device with them.
 *
 * A new sandbox's disk is a sparse copy of a template: an empty filesystem of that size made once
 * with mkfs, so a first start copies about 200 KB instead of running mkfs. The copies share the
 * template's filesystem UUID and directory hash seed; nothing here relies on either being unique,
 * and no sandbox can read its filesystem's superblock (it has no access to the device).
 */

/** Below this ext4 has no room for its own metadata and a journal. */
export const MIN_DISK_BYTES = 64 * 1024 ** 2;
const MKFS_TIMEOUT_MS = 60_000;

export interface TemplateEntry {
  name: string;
  uid: number;
  gid: number;
  mode: number;
}

const templatesMade = new Map<string, Promise<string>>();

/**
 * An empty filesystem of `sizeBytes` holding `entries` (empty directories with these owners and
 * modes), made once under `dir` and reused by every sandbox disk of that size and those entries.
 *
 * No reserved blocks (`-m 0`: root inside is mounter-root to ext4 through the overlay, and would
 * otherwise get 5% more), lazy inode tables and a journal that nothing zeroes (the disks are
 * mounted `noinit_itable`: a new file is holes already), so a 10 GiB disk costs about 1 MB.
 */
export function diskTemplate(dir: string, entries: TemplateEntry[], sizeBytes: number): Promise<string> {
  const size = Math.max(MIN_DISK_BYTES, Math.round(sizeBytes));
  const key = `${entries.map((entry) => `${entry.name}-${entry.uid}-${entry.gid}-${entry.mode.toString(8)}`).join('_')}-${size}`;
  const image = path.join(dir, `${key}.img`);
  let made = templatesMade.get(image);
  if (!made) {
    made = makeTemplate(image, entries, size);
    templatesMade.set(image, made);
    // A failure is not kept: the next start tries again.
    made.catch(() => templatesMade.delete(image));
  }
  return made;
}

async function makeTemplate(image: string, entries: TemplateEntry[], size: number): Promise<string> {
  if (await stat(image).then(() => true, () => false)) return image;
  const tmp = `${image}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const contents = `${tmp}.d`;
  try {
    await mkdir(contents, { recursive: true });
    // The filesystem's root takes this mode: sandbox users pass through it to their home.
    await chmod(contents, 0o711);
    for (const entry of entries) {
      const entryPath = path.join(contents, entry.name);
      await mkdir(entryPath);
      await chown(entryPath, entry.uid, entry.gid);
      await chmod(entryPath, entry.mode);
    }
    const tool = { deadline: Date.now() + MKFS_TIMEOUT_MS, deadlineReason: `mkfs.ext4 took over ${MKFS_TIMEOUT_MS} ms` };
    await runTool('truncate', ['-s', String(size), '--', tmp], tool);
    await runTool('mkfs.ext4', ['-q', '-F', '-m', '0', '-J', 'size=4', '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard', '-d', contents, tmp], tool);
    // Made meanwhile by another runner on this data directory: either copy is as good.
    await rename(tmp, image);
  } finally {
    await rm(contents, { recursive: true, force: true });
    await rm(tmp, { force: true });
  }
  return image;
}

// After a sandbox's last process is gone its disk is free at once; a straggler gets this long.
const RELEASE_WAIT_MS = 2_000;

/**
 * Waits until no loop device holds the sandbox's disk image any more, once none of its processes
 * runs: a second mount of it through another device would corrupt it. The device of the last
 * start goes with its mount namespace (sandbox-launch.c binds it with autoclear), so this
 * normally returns at once. Throws when the device stays bound (then something outside the
 * sandbox holds it).
 */
export async function releaseDisk(disk: { image: string; deviceRecord: string }): Promise<void> {
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
