import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  cpuQuotaMicros,
  CPU_PERIOD_US,
  memoryLimitBytes,
  ownCgroupPath,
  type CgroupHierarchy,
  type SandboxLimits,
} from './cgroup-hierarchy.js';

const CONTROLLERS = ['cpu', 'memory'];
/** Enabled where available; without it only process counts go unbounded. */
const OPTIONAL_CONTROLLERS = ['pids'];

/**
 * Sets up this runner's parent cgroup on a unified (v2) hierarchy, or explains why it cannot.
 * The parent goes under the runner's own cgroup when the controllers can be delegated there,
 * else under the hierarchy root (v2 forbids enabling controllers below a cgroup that holds
 * processes, which is the usual case for a service's own cgroup).
 */
export async function setUpCgroupV2(root: string, selfCgroupFile: string, parentName: string): Promise<CgroupHierarchy | string> {
  const available = (await readFile(path.join(root, 'cgroup.controllers'), 'utf8').catch(() => null))?.trim().split(/\s+/);
  if (!available) return `no cgroup v2 hierarchy at ${root}`;
  const missing = CONTROLLERS.filter((name) => !available.includes(name));
  if (missing.length > 0) return `cgroup v2 at ${root} lacks the ${missing.join(' and ')} controller(s)`;

  const wanted = [...CONTROLLERS, ...OPTIONAL_CONTROLLERS.filter((name) => available.includes(name))];
  const own = await ownCgroupPath(selfCgroupFile, null);
  const bases = [...new Set([path.join(root, own), root])];
  const failures: string[] = [];
  for (const base of bases) {
    const parent = path.join(base, parentName);
    try {
      await enableControllers(base, wanted);
      await mkdir(parent, { recursive: true });
      await enableControllers(parent, wanted);
      await access(path.join(parent, 'cgroup.procs'));
      return new CgroupV2Hierarchy(parent, wanted.includes('pids'));
    } catch (error) {
      failures.push(`${parent}: ${(error as Error).message}`);
    }
  }
  return `cgroup v2 is not writable (${failures.join('; ')})`;
}

async function enableControllers(cgroupDir: string, controllers: string[]): Promise<void> {
  const enabled = (await readFile(path.join(cgroupDir, 'cgroup.subtree_control'), 'utf8').catch(() => '')).split(/\s+/);
  const toEnable = controllers.filter((name) => !enabled.includes(name));
  if (toEnable.length === 0) return;
  await writeFile(path.join(cgroupDir, 'cgroup.subtree_control'), toEnable.map((name) => `+${name}`).join(' '));
}

class CgroupV2Hierarchy implements CgroupHierarchy {
  readonly version = 'v2';
  readonly parents: string[];

  constructor(
    parent: string,
    readonly limitsPids: boolean,
  ) {
    this.parents = [parent];
  }

  async writeLimits([dir]: string[], limits: SandboxLimits): Promise<void> {
    await writeFile(path.join(dir, 'cpu.max'), `${cpuQuotaMicros(limits.cpu)} ${CPU_PERIOD_US}`);
    await writeFile(path.join(dir, 'memory.max'), String(memoryLimitBytes(limits.memory)));
    if (this.limitsPids) await writeFile(path.join(dir, 'pids.max'), String(limits.pids));
  }
}
