import { mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runnerCgroupName, type CgroupHierarchy, type CgroupVersion, type SandboxLimits } from './cgroup-hierarchy.js';
import { setUpCgroupV1 } from './cgroup-v1.js';
import { setUpCgroupV2 } from './cgroup-v2.js';

export type CgroupSupport = 'v1' | 'v2' | 'none';

/** One child cgroup per sandbox under this runner's parent(s); a no-op when the host has none usable. */
export class SandboxCgroups {
  constructor(
    private readonly hierarchy: CgroupHierarchy | null,
    /** Why cgroups are unusable, for the start-up warning; empty when they work. */
    readonly problems: string[] = [],
  ) {}

  /** Cgroups another process set up, to list and remove only (the watchdog's view of its runner's). */
  static existing(version: CgroupVersion, parents: string[]): SandboxCgroups {
    const writeLimits = () => Promise.reject(new Error('These cgroups were set up by another process; they can only be removed'));
    return new SandboxCgroups({ version, parents, limitsPids: false, writeLimits });
  }

  get support(): CgroupSupport {
    return this.hierarchy?.version ?? 'none';
  }

  get limitsPids(): boolean {
    return this.hierarchy?.limitsPids ?? false;
  }

  /** This runner's parent cgroup directories. */
  get parentDirs(): string[] {
    return this.hierarchy?.parents ?? [];
  }

  /** Every cgroup directory of one sandbox (one per hierarchy). */
  sandboxDirs(id: string): string[] {
    return this.hierarchy?.parents.map((parent) => path.join(parent, id)) ?? [];
  }

  /**
   * Creates the sandbox's cgroups with its limits and returns the `cgroup.procs` files a process
   * writes its own pid into to join them.
   */
  async create(id: string, limits: SandboxLimits): Promise<string[]> {
    if (!this.hierarchy) return [];
    const dirs = this.sandboxDirs(id);
    for (const dir of dirs) await mkdirIfMissing(dir);
    await this.hierarchy.writeLimits(dirs, limits);
    return dirs.map((dir) => path.join(dir, 'cgroup.procs'));
  }

  /** Kills whatever still runs in the sandbox's cgroups, then removes them. */
  async remove(id: string): Promise<void> {
    for (const dir of this.sandboxDirs(id)) await removeCgroupDir(dir);
  }

  /** Sandbox ids that have a cgroup under this runner's parent. */
  async list(): Promise<string[]> {
    const ids = new Set<string>();
    for (const parent of this.hierarchy?.parents ?? []) {
      const entries = await readdir(parent, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) if (entry.isDirectory()) ids.add(entry.name);
    }
    return [...ids];
  }

  /** Removes this runner's (empty) parent cgroups; called on shutdown and by tests. */
  async removeParents(): Promise<void> {
    for (const parent of this.hierarchy?.parents ?? []) await rmdir(parent).catch(() => undefined);
  }
}

export interface CgroupDetectionOptions {
  root?: string;
  selfCgroupFile?: string;
}

/** v2 if usable, else v1 if usable, else none (with the reasons). Run once at start. */
export async function detectSandboxCgroups(runnerName: string, options: CgroupDetectionOptions = {}): Promise<SandboxCgroups> {
  const root = options.root ?? '/sys/fs/cgroup';
  const selfCgroupFile = options.selfCgroupFile ?? '/proc/self/cgroup';
  const parentName = runnerCgroupName(runnerName);
  const v2 = await setUpCgroupV2(root, selfCgroupFile, parentName);
  if (typeof v2 !== 'string') return new SandboxCgroups(v2);
  const v1 = await setUpCgroupV1(root, selfCgroupFile, parentName);
  if (typeof v1 !== 'string') return new SandboxCgroups(v1);
  return new SandboxCgroups(null, [v2, v1]);
}

async function mkdirIfMissing(dir: string): Promise<void> {
  await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
}

// The last processes of a killed sandbox leave its cgroup a few milliseconds after the sandbox's
// bwrap exits, and cgroupfs refuses to remove a populated cgroup (EBUSY) meanwhile.
const REMOVE_ATTEMPTS = 12;

async function removeCgroupDir(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    await killMembers(dir);
    try {
      await rmdir(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= REMOVE_ATTEMPTS) throw error;
    }
    await sleep(Math.min(5 * 2 ** attempt, 500));
  }
}

async function killMembers(dir: string): Promise<void> {
  // cgroup.kill (v2, Linux 5.14+) kills atomically, including processes forking meanwhile.
  const killed = await writeFile(path.join(dir, 'cgroup.kill'), '1', { flag: 'r+' }).then(
    () => true,
    () => false,
  );
  if (killed) return;
  const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  for (const pid of procs.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
