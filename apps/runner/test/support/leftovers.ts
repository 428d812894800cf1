import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { runnerCgroupName } from '../../src/cgroups/cgroup-hierarchy.js';
import { SandboxCgroups } from '../../src/cgroups/sandbox-cgroups.js';
import { cgroupDirsNamed } from './cgroup-dirs.js';

/** What a runner process left on the host: processes and cgroups. Empty lists mean nothing. */
export interface Leftovers {
  /** `pid: command line` of host processes whose command line contains the text. */
  processes: string[];
  /** `dir: pid` of processes in the runner's cgroups. */
  cgroupMembers: string[];
  /** The runner's parent cgroups and every sandbox cgroup under them. */
  cgroupDirs: string[];
}

export async function hostProcessesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
    if (cmdline.includes(text)) found.push(`${entry}: ${cmdline.slice(0, 200)}`);
  }
  return found;
}

/** Leftovers of the runner named `runnerName`: processes mentioning any of `texts`, and its cgroups. */
export async function leftoversOf(runnerName: string, texts: string[]): Promise<Leftovers> {
  const processes = (await Promise.all(texts.map(hostProcessesWith))).flat();
  const cgroupDirs: string[] = [];
  let level = await cgroupDirsNamed(runnerCgroupName(runnerName));
  while (level.length > 0) {
    cgroupDirs.push(...level);
    const next: string[] = [];
    for (const dir of level) {
      const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) if (entry.isDirectory()) next.push(path.join(dir, entry.name));
    }
    level = next;
  }
  const cgroupMembers: string[] = [];
  for (const dir of cgroupDirs) {
    const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
    for (const pid of procs.split('\n').filter(Boolean)) cgroupMembers.push(`${dir}: ${pid}`);
  }
  return { processes, cgroupMembers, cgroupDirs };
}

export const NOTHING_LEFT: Leftovers = { processes: [], cgroupMembers: [], cgroupDirs: [] };

/** Polls until nothing is left or `timeoutMs` passes; returns what is left then. */
export async function untilNothingLeft(runnerName: string, texts: string[], timeoutMs = 5_000): Promise<Leftovers> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await leftoversOf(runnerName, texts);
    const empty = left.processes.length + left.cgroupMembers.length + left.cgroupDirs.length === 0;
    if (empty || Date.now() > deadline) return left;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls `condition` until it holds; rejects with `what` after `timeoutMs`. */
export async function pollUntil(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * After a failed test, kills and removes what is left in the runner's cgroups, so one failure does not
 * leave sandboxes running on the host (bounded by the retries of SandboxCgroups.remove).
 */
export async function removeLeftovers(runnerName: string): Promise<void> {
  const parents = await cgroupDirsNamed(runnerCgroupName(runnerName));
  if (parents.length === 0) return;
  // Removal works the same in both versions (cgroup.kill where it exists, else each pid).
  const cgroups = SandboxCgroups.existing('v1', parents);
  await Promise.allSettled((await cgroups.list()).map((id) => cgroups.remove(id)));
  await cgroups.removeParents();
}
