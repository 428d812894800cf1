import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hostProcessesMatching } from './host-processes.js';

/**
 * The host pid of the bwrap that launched the sandbox whose command line names `marker` (its
 * rootfs or home): it lives in the mount namespace that holds the sandbox's disk and overlay.
 */
export async function sandboxLauncherPid(marker: string): Promise<number> {
  const pids = [];
  for (const pid of await hostProcessesMatching(marker)) {
    if ((await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'bwrap') pids.push(pid);
  }
  // bwrap's own child has the same command line until it execs: the launcher is the lowest pid.
  if (pids.length === 0) throw new Error(`no bwrap names ${marker}`);
  return Math.min(...pids);
}

/** Mount points under `dir` in the mount namespace of `pid`. */
export async function mountPointsOf(pid: number, dir: string): Promise<string[]> {
  const mountinfo = await readFile(`/proc/${pid}/mountinfo`, 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && point.startsWith(dir));
}

/** `file` (a host path) as seen in the mount namespace of `pid`. */
export function seenBy(pid: number, file: string): string {
  return path.join(`/proc/${pid}/root`, file);
}
