import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmdir } from 'node:fs/promises';
import { detectSandboxCgroups, type SandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import { LAUNCH_ENV, launchInCgroups } from './cgroup-launcher.js';

// The watchdog relies on this: once a sandbox's cgroups are removed, a launcher that has not joined
// them all yet can never become the sandbox. Real cgroups of this host.
describe('launchInCgroups', () => {
  let cgroups: SandboxCgroups;
  const limits = { cpu: 1, memory: 1, pids: 64 };
  const run = (procsFiles: string[], argv: string[]) => {
    const { file, args } = launchInCgroups(procsFiles, argv);
    return spawnSync(file, args, { env: LAUNCH_ENV, encoding: 'utf8' });
  };

  beforeAll(async () => {
    cgroups = await detectSandboxCgroups(`launcher-${randomUUID().slice(0, 8)}`);
    if (cgroups.support === 'none') throw new Error(`these tests need cgroups (run as root): ${cgroups.problems.join('; ')}`);
  });
  afterAll(() => cgroups.removeParents());

  it('runs the program inside every cgroup of the sandbox', async () => {
    const id = randomUUID();
    const procsFiles = await cgroups.create(id, limits);
    const result = run(procsFiles, ['/bin/cat', '/proc/self/cgroup']);
    await cgroups.remove(id);
    expect(result.status).toBe(0);
    const memberships = result.stdout.split('\n').filter((line) => line.endsWith(`/${id}`));
    expect(memberships).toHaveLength(procsFiles.length);
  });

  it('never runs the program once the cgroups are removed (exit 125)', async () => {
    const id = randomUUID();
    const procsFiles = await cgroups.create(id, limits);
    await cgroups.remove(id);
    const result = run(procsFiles, ['/bin/echo', 'became the program']);
    expect([result.status, result.stdout]).toEqual([125, '']);
  });

  it('never runs the program when it joined the first hierarchies and a later one is gone', async () => {
    const id = randomUUID();
    const procsFiles = await cgroups.create(id, limits);
    // v1 has a directory per controller, joined one after another; the watchdog may be in between.
    await rmdir(cgroups.sandboxDirs(id).at(-1)!);
    const result = run(procsFiles, ['/bin/echo', 'became the program']);
    await cgroups.remove(id);
    expect([result.status, result.stdout]).toEqual([125, '']);
  });
});
