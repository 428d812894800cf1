import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MountHelper } from './mount-helper.js';

// After a sandbox's processes are gone nothing should hold its mount; a straggler gets this long.
const BUSY_RETRY_MS = 2_000;

/**
 * Unmounts everything mounted at `target` (nothing if nothing is). Sandboxes mount in namespaces of
 * their own; the runner's namespace only holds mounts that runners before them left.
 */
export async function unmountAll(target: string, helper: MountHelper): Promise<void> {
  const giveUp = Date.now() + BUSY_RETRY_MS;
  while (await isMountPoint(target)) {
    try {
      await helper.run('umount', target);
    } catch (error) {
      if (!/busy/i.test((error as Error).message) || Date.now() > giveUp) {
        // Detached now, freed once its last user is gone: the sandbox is over either way.
        await helper.run('umount-lazy', target);
      } else {
        await sleep(20);
      }
    }
  }
}

/**
 * Lets setuid programs (sudo) work in a started sandbox: bwrap mounts everything it binds
 * `nosuid`, and nothing inside may change a mount its namespace's owner made. Host root can, in
 * the sandbox's mount namespace (`sandbox-launch remount-suid`).
 */
export function allowSetuidAtRoot(sandboxPid: number, helper: MountHelper): Promise<void> {
  return helper.run('remount-suid', String(sandboxPid));
}

/** Mount points at or below `dir` in this process's mount namespace, deepest first. */
export async function mountPointsUnder(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const points = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) => point.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((point) => point === dir || point.startsWith(prefix));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Whether something is mounted at `target` (its device differs from its parent's). */
async function isMountPoint(target: string): Promise<boolean> {
  const [own, parent] = await Promise.all([stat(target).catch(() => null), stat(path.dirname(target)).catch(() => null)]);
  return own !== null && parent !== null && own.dev !== parent.dev;
}
