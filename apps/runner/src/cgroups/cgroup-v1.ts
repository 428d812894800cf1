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
    const parent = await setUpParent(root, selfCgroupFile, parentName, controller, probeFile, probeFile);
    if (typeof parent === 'string') return parent;
    parents.push(parent.dir);
  }
  // pids is optional: without it sandboxes still run, only their process count is not bounded.
  // (The root of a pids hierarchy has no pids.max of its own, only its children do.)
  const pids = await setUpParent(root, selfCgroupFile, parentName, 'pids', 'cgroup.procs', 'pids.max');
  if (typeof pids !== 'string') parents.push(pids.dir);
  return new CgroupV1Hierarchy(parents);
}

async function setUpParent(
  root: string,
  selfCgroupFile: string,
  parentName: string,
  controller: string,
  mountProbeFile: string,
  probeFile: string,
): Promise<{ dir: string } | string> {
  const mount = path.join(root, controller);
  try {
    await access(path.join(mount, mountProbeFile));
  } catch {
    return `no cgroup v1 ${controller} hierarchy at ${mount}`;
  }
  const own = path.join(mount, await ownCgroupPath(selfCgroupFile, controller));
  // Inside some containers /proc/self/cgroup names a path that is not visible in the mount.
  const base = (await stat(own).then((s) => s.isDirectory()).catch(() => false)) ? own : mount;
  const dir = path.join(base, parentName);
  try {
    await mkdir(dir, { recursive: true });
    await access(path.join(dir, probeFile));
  } catch (error) {
    return `cgroup v1 ${controller} is not writable at ${dir}: ${(error as Error).message}`;
  }
  return { dir };
}

class CgroupV1Hierarchy implements CgroupHierarchy {
  readonly version = 'v1';
  readonly limitsPids: boolean;

  /** cpu, memory and, where the host has it, pids. */
  constructor(readonly parents: string[]) {
    this.limitsPids = parents.length > 2;
  }

  async writeLimits([cpuDir, memoryDir, pidsDir]: string[], limits: SandboxLimits): Promise<void> {
    await writeFile(path.join(cpuDir, 'cpu.cfs_period_us'), String(CPU_PERIOD_US));
    await writeFile(path.join(cpuDir, 'cpu.cfs_quota_us'), String(cpuQuotaMicros(limits.cpu)));
    await writeFile(path.join(memoryDir, 'memory.limit_in_bytes'), String(memoryLimitBytes(limits.memory)));
    if (pidsDir) await writeFile(path.join(pidsDir, 'pids.max'), String(limits.pids));
  }
}
