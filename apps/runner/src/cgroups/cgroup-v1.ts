import { access, mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  cpuQuotaMicros,
  CPU_PERIOD_US,
  memoryLimitBytes,
  ownCgroupPath,
  type CgroupHierarchy,
  type SandboxLimits,
} from './cgroup-hierarchy.js';

/**
 * Sets up this runner's parent cgroups on legacy (v1) cpu and memory hierarchies, or explains why
 * it cannot. Parents nest under the runner's own cgroup so limits set on the runner (e.g. by a
 * container engine) still bound its sandboxes.
 */
export async function setUpCgroupV1(root: string, selfCgroupFile: string, parentName: string): Promise<CgroupHierarchy | string> {
  const parents: string[] = [];
  for (const [controller, probeFile] of [['cpu', 'cpu.cfs_quota_us'], ['memory', 'memory.limit_in_bytes']]) {
    const mount = path.join(root, controller);
    try {
      await access(path.join(mount, probeFile));
    } catch {
      return `no cgroup v1 ${controller} hierarchy at ${mount}`;
    }
    const own = path.join(mount, await ownCgroupPath(selfCgroupFile, controller));
    // Inside some containers /proc/self/cgroup names a path that is not visible in the mount.
    const base = (await stat(own).then((s) => s.isDirectory()).catch(() => false)) ? own : mount;
    const parent = path.join(base, parentName);
    try {
      await mkdir(parent, { recursive: true });
      await access(path.join(parent, probeFile));
    } catch (error) {
      return `cgroup v1 ${controller} is not writable at ${parent}: ${(error as Error).message}`;
    }
    parents.push(parent);
  }
  return new CgroupV1Hierarchy(parents);
}

class CgroupV1Hierarchy implements CgroupHierarchy {
  readonly version = 'v1';
  constructor(readonly parents: string[]) {}

  async writeLimits([cpuDir, memoryDir]: string[], limits: SandboxLimits): Promise<void> {
    await writeFile(path.join(cpuDir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    await writeFile(path.join(cpuDir, 'cpu.cfs_quota_us'), String(cpuQuotaMicros(limits.cpu)));
    await writeFile(path.join(memoryDir, 'memory.limit_in_bytes'), String(memoryLimitBytes(limits.memory)));
  }
}
