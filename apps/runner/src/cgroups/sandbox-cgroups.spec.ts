import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { detectSandboxCgroups } from './sandbox-cgroups.js';

// The real hierarchies of this host are exercised by the bwrap provider tests; these fake trees
// cover the version this host does not have.
describe('detectSandboxCgroups', () => {
  let root: string;
  let selfCgroupFile: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'fake-cgroupfs-'));
    selfCgroupFile = path.join(root, 'self-cgroup');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('uses v2 when cpu and memory are available, nested under the runner own cgroup', async () => {
    await writeFile(path.join(root, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    await writeFile(path.join(root, 'cgroup.subtree_control'), '');
    await mkdir(path.join(root, 'system.slice'));
    await writeFile(selfCgroupFile, '0::/system.slice\n');
    const parent = path.join(root, 'system.slice', 'daytona-runner-r1');
    // a real cgroupfs creates cgroup.procs in every new cgroup by itself
    await mkdir(parent, { recursive: true });
    await writeFile(path.join(parent, 'cgroup.procs'), '');

    const cgroups = await detectSandboxCgroups('r1', { root, selfCgroupFile });
    expect(cgroups.support).toBe('v2');

    const procsFiles = await cgroups.create('sb-1', { cpu: 1.5, memory: 2, pids: 256 });
    expect(procsFiles).toEqual([path.join(parent, 'sb-1', 'cgroup.procs')]);
    expect(await readFile(path.join(parent, 'sb-1', 'cpu.max'), 'utf8')).toBe('150000 100000');
    expect(await readFile(path.join(parent, 'sb-1', 'memory.max'), 'utf8')).toBe(String(2 * 1024 ** 3));
    expect(await readFile(path.join(parent, 'sb-1', 'pids.max'), 'utf8')).toBe('256');
    expect(cgroups.limitsPids).toBe(true);
    expect(await readFile(path.join(root, 'system.slice', 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory +pids');
    expect(await cgroups.list()).toEqual(['sb-1']);
  });

  it('falls back to v1 when v2 lacks the memory controller', async () => {
    await writeFile(path.join(root, 'cgroup.controllers'), 'cpu pids\n');
    for (const [controller, file] of [['cpu', 'cpu.cfs_quota_us'], ['memory', 'memory.limit_in_bytes']]) {
      await mkdir(path.join(root, controller, 'daytona-runner-r1'), { recursive: true });
      await writeFile(path.join(root, controller, file), '-1');
      await writeFile(path.join(root, controller, 'daytona-runner-r1', file), '-1');
    }
    await writeFile(selfCgroupFile, '4:memory:/\n1:cpu,cpuacct:/\n0::/\n');

    const cgroups = await detectSandboxCgroups('r1', { root, selfCgroupFile });
    expect(cgroups.support).toBe('v1');
    const procsFiles = await cgroups.create('sb-1', { cpu: 0.5, memory: 0.5, pids: 64 });
    // This fake host has no pids hierarchy: the limit is skipped, not an error.
    expect(cgroups.limitsPids).toBe(false);
    expect(procsFiles).toEqual([
      path.join(root, 'cpu', 'daytona-runner-r1', 'sb-1', 'cgroup.procs'),
      path.join(root, 'memory', 'daytona-runner-r1', 'sb-1', 'cgroup.procs'),
    ]);
    expect(await readFile(path.join(root, 'cpu', 'daytona-runner-r1', 'sb-1', 'cpu.cfs_quota_us'), 'utf8')).toBe('50000');
    expect(await readFile(path.join(root, 'memory', 'daytona-runner-r1', 'sb-1', 'memory.limit_in_bytes'), 'utf8')).toBe(
      String(512 * 1024 ** 2),
    );
  });

  it('reports none, with the reasons, when no hierarchy is usable', async () => {
    const cgroups = await detectSandboxCgroups('r1', { root, selfCgroupFile });
    expect(cgroups.support).toBe('none');
    expect(cgroups.problems.join('\n')).toMatch(/no cgroup v2 hierarchy[\s\S]*no cgroup v1 cpu hierarchy/);
    expect(await cgroups.create('sb-1', { cpu: 1, memory: 1, pids: 64 })).toEqual([]);
  });
});
