import { readFile } from 'node:fs/promises';

export type CgroupVersion = 'v1' | 'v2';

export interface SandboxLimits {
  /** Cores; fractions allowed. */
  cpu: number;
  /** GiB */
  memory: number;
  /** Most processes (and threads) at once: a fork bomb stays inside its sandbox. */
  pids: number;
}

/** Where this runner's cgroups live in one cgroup version, and how limits are written there. */
export interface CgroupHierarchy {
  readonly version: CgroupVersion;
  /** This runner's parent cgroup directory in every hierarchy used (v1: cpu and memory; v2: one). */
  readonly parents: string[];
  /** Whether process counts can be limited (the pids controller is there). */
  readonly limitsPids: boolean;
  /** `sandboxDirs` is aligned with `parents`. */
  writeLimits(sandboxDirs: string[], limits: SandboxLimits): Promise<void>;
}

export const CPU_PERIOD_US = 100_000;
export const GIB = 1024 ** 3;

export function cpuQuotaMicros(cpu: number): number {
  // The kernel refuses quotas under 1 ms.
  return Math.max(1000, Math.round(cpu * CPU_PERIOD_US));
}

export function memoryLimitBytes(memoryGiB: number): number {
  return Math.round(memoryGiB * GIB);
}

/** The runner's own cgroup path for a v1 controller (e.g. `cpu`) or for v2 (`null`), from /proc/self/cgroup. */
export async function ownCgroupPath(selfCgroupFile: string, controller: string | null): Promise<string> {
  const text = await readFile(selfCgroupFile, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    // hierarchy-id:controller-list:path (the path itself may contain colons)
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const hierarchyId = line.slice(0, first);
    const controllers = line.slice(first + 1, second).split(',');
    const matches = controller === null ? hierarchyId === '0' && controllers[0] === '' : controllers.includes(controller);
    if (matches) return line.slice(second + 1) || '/';
  }
  return '/';
}

/** Cgroup directory names only allow a safe subset of runner names. */
export function runnerCgroupName(runnerName: string): string {
  return `daytona-runner-${runnerName.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}
