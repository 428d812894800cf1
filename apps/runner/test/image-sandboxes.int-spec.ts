import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { ImageStore } from '../src/images/image-store.js';
import type { BwrapProvider } from '../src/provider/bwrap-provider.js';
import { ENTRYPOINT_LOG } from '../src/provider/sandbox-exec.js';
import type { SandboxLayout } from '../src/sandbox/sandbox-layout.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';
import { hostProcessesMatching } from './support/host-processes.js';
import { loopDevicesOf } from './support/loop-devices.js';
import { mountPointsOf, sandboxLauncherPid, seenBy } from './support/sandbox-mounts.js';
import { pollUntil } from './support/leftovers.js';
import { RecordingStateSink } from './support/recording-state-sink.js';
import { sandboxSpec, tempDataDir, testBwrapProvider, USERNS } from './support/sandbox-fixtures.js';
import { silentLogger } from './support/silent-logger.js';
import { startTestRegistry, type TestRegistry } from './support/test-registry.js';

const execFileAsync = promisify(execFile);

// Sandboxes of OCI images: a real registry, skopeo, umoci, overlayfs, user namespaces and bubblewrap.
describe('image sandboxes', () => {
  let registry: TestRegistry;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: BwrapProvider;
  let layout: SandboxLayout;
  let images: ImageStore;
  let states: RecordingStateSink;
  let manager: SandboxManager;

  beforeAll(async () => {
    registry = await startTestRegistry();
  }, 60_000);
  afterAll(() => registry.stop());

  beforeEach(async () => {
    dataDir = await tempDataDir();
    ({ provider, layout } = await testBwrapProvider(dataDir.dir));
    images = await ImageStore.open({
      cacheDir: path.join(dataDir.dir, 'images'),
      idMap: USERNS,
      maxBytes: 1024 ** 3,
      insecureRegistries: [registry.host],
      pullTimeoutSeconds: 60,
      logger: silentLogger,
    });
    states = new RecordingStateSink();
    manager = new SandboxManager(provider, states, { startConcurrency: 16, execDefaultTimeoutSeconds: 30, images }, silentLogger);
  });

  afterEach(async () => {
    await Promise.all(manager.list().map(({ id }) => manager.destroy(id)));
    await provider.close();
    await dataDir.remove();
  }, 60_000);

  async function started(overrides: Partial<RunnerSandboxSpec>): Promise<{ spec: RunnerSandboxSpec; run: (command: string, env?: Record<string, string>, cwd?: string) => Promise<string> }> {
    const spec = sandboxSpec(overrides);
    manager.create([spec]);
    const update = await states.waitFor(spec.id, ['started', 'error'], 60_000);
    if (update.state === 'error') throw new Error(`${spec.id} failed: ${update.errorReason}`);
    return {
      spec,
      run: async (command, env, cwd) => {
        const result = await manager.execute(spec.id, { command, env, cwd });
        if (result.exitCode !== 0) throw new Error(`${command} exited ${result.exitCode}: ${result.result}`);
        return result.result;
      },
    };
  }

  /** Mount points under the data directory, from the host's mount table. */
  const mountsUnderDataDir = async () => (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((line) => line.includes(dataDir.dir));

  it('gives each sandbox the rootfs of its own image', async () => {
    const [alpha, beta] = await Promise.all([started({ snapshotRef: registry.refs.alpha }), started({ snapshotRef: registry.refs.beta })]);
    expect(await alpha.run('cat /marker')).toBe('alpha\n');
    expect(await beta.run('cat /marker')).toBe('beta\n');
    expect(states.statesOf(alpha.spec.id)).toEqual(['pulling_snapshot', 'starting', 'started']);
    // the host's userland is nowhere: busybox is the only program
    expect(await alpha.run('ls /usr /lib 2>&1; readlink /bin/sh')).toMatch(/No such file or directory[\s\S]*busybox\n$/);
  });

  it('starts a sandbox whose disk a killed runner left half made', async () => {
    const spec = sandboxSpec({ snapshotRef: registry.refs.alpha });
    await mkdir(layout.paths(spec.id).dir, { recursive: true, mode: 0o711 });
    await writeFile(`${layout.paths(spec.id).diskImage}.new`, 'not a filesystem');
    const sandbox = await started(spec);
    expect(await sandbox.run('echo kept > /new-file && cat /new-file')).toBe('kept\n');
  });

  it('binds its disk to a loop device that frees itself with its last user, and waits for it before the next start', async () => {
    const sandbox = await started({ snapshotRef: registry.refs.alpha });
    await sandbox.run('echo kept > /kept');
    const paths = layout.paths(sandbox.spec.id);
    const [device] = await loopDevicesOf(paths.diskImage);
    // autoclear, set in the call that bound it: a launch killed at any point leaves no device bound
    expect((await readFile(`/sys/block/${device}/loop/autoclear`, 'utf8')).trim()).toBe('1');
    expect((await readFile(paths.diskDevice, 'utf8')).trim()).toBe(`/dev/${device}`);
    expect(await manager.stop(sandbox.spec.id)).toBe('stopped');
    expect(await loopDevicesOf(paths.diskImage)).toEqual([]);

    // A device something else holds bound to the disk: no second mount of it through another one.
    const { stdout } = await execFileAsync('losetup', ['--find', '--show', '--', paths.diskImage]);
    await writeFile(paths.diskDevice, stdout);
    expect(await manager.start(sandbox.spec.id)).toBe('error');
    expect(states.updates.filter((update) => update.id === sandbox.spec.id).at(-1)?.errorReason).toMatch(/still holds .*disk\.img: something outside the sandbox uses its disk/);
    await execFileAsync('losetup', ['-d', stdout.trim()]);
    expect(await manager.start(sandbox.spec.id)).toBe('started');
    expect(await sandbox.run('cat /kept')).toBe('kept\n');
  });

  it('is root inside and an unprivileged host uid outside; writes anywhere persist until destroy and stay private', async () => {
    const one = await started({ snapshotRef: registry.refs.alpha, name: 'one' });
    const sibling = await started({ snapshotRef: registry.refs.alpha, name: 'sibling' });
    expect(await one.run('id -u; id -g')).toBe('0\n0\n');
    await one.run('mkdir -p /usr/lib/tool && echo installed > /usr/lib/tool/file && echo "extra:x:5:5::/:/bin/sh" >> /etc/passwd && echo changed > /marker');
    await one.run('sleep 4711 &');
    const [sleeper] = await hostProcessesMatching('sleep 4711');
    const uids = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(await readFile(`/proc/${sleeper}/status`, 'utf8'));
    expect(uids?.slice(1).map(Number)).toEqual([USERNS.base, USERNS.base, USERNS.base, USERNS.base]);
    // no process of the sandbox is root on the host: bwrap itself dropped to the mapped root too
    for (const pid of await hostProcessesMatching(layout.paths(one.spec.id).rootfs)) {
      expect((await readFile(`/proc/${pid}/status`, 'utf8')).match(/^Uid:\s+(\d+)/m)?.[1]).toBe(String(USERNS.base));
    }

    expect(await one.run('cat /usr/lib/tool/file; grep extra /etc/passwd; cat /marker')).toBe('installed\nextra:x:5:5::/:/bin/sh\nchanged\n');
    expect(await sibling.run('ls /usr/lib/tool 2>&1; grep -c extra /etc/passwd; cat /marker')).toBe('ls: /usr/lib/tool: No such file or directory\n0\nalpha\n');

    expect(await manager.stop(one.spec.id)).toBe('stopped');
    // a stopped sandbox's disk is free (its mounts went with it); the sibling's is held
    expect(await loopDevicesOf(layout.paths(one.spec.id).diskImage)).toEqual([]);
    expect(await loopDevicesOf(layout.paths(sibling.spec.id).diskImage)).toHaveLength(1);
    expect(await manager.start(one.spec.id)).toBe('started');
    expect(await one.run('cat /usr/lib/tool/file; grep extra /etc/passwd; cat /marker')).toBe('installed\nextra:x:5:5::/:/bin/sh\nchanged\n');
    // /tmp is private to each start
    await one.run('touch /tmp/scratch');
    await manager.stop(one.spec.id);
    await manager.start(one.spec.id);
    expect(await one.run('ls /tmp')).toBe('');
  });

  it('cannot create user namespaces inside, nor reach the host', async () => {
    const { spec, run } = await started({ snapshotRef: registry.refs.alpha });
    const unshare = await manager.execute(spec.id, { command: 'unshare -U true' });
    // The seccomp filter refuses first; the setup namespace's limit of one (ENOSPC) stands behind it.
    expect(unshare).toMatchObject({ exitCode: 1, result: expect.stringMatching(/Operation not permitted/) });
    expect(await run(`ls ${dataDir.dir} 2>&1 || true`)).toMatch(/No such file or directory/);
    expect(await run('cat /proc/self/uid_map')).toMatch(/^\s*0\s+0\s+65536\n$/);
  });

  it('runs commands with the image Env, WorkingDir and User, under the sandbox and command env', async () => {
    const { run } = await started({ snapshotRef: registry.refs.user, env: { SHADOWED: 'sandbox', FROM_SANDBOX: 'yes' } });
    expect(await run('id -un; id -u; pwd; echo "$HOME|$PATH|$GREETING|$SHADOWED|$FROM_SANDBOX"')).toBe(
      'tester\n1234\n/home/tester/work\n/home/tester|/usr/local/bin:/bin|hello from the image|sandbox|yes\n',
    );
    expect(await run('echo "$SHADOWED"', { SHADOWED: 'command' })).toBe('command\n');
    expect(await run('pwd', undefined, '..')).toBe('/home/tester\n');
    // as its user, the image's root-owned files stay read-only
    expect(await run('touch /etc/passwd 2>&1 || echo refused')).toMatch(/Permission denied\nrefused\n$/);
  });

  it("starts the image's entrypoint and command once per start, in the background, logging to a file", async () => {
    const { spec, run } = await started({ snapshotRef: registry.refs.user, env: { GREETING: 'hi from the sandbox' } });
    await pollUntil(async () => (await run(`cat ${ENTRYPOINT_LOG} 2>/dev/null || true`)).length > 0, 'the entrypoint to write its log', 10_000);
    expect(await run(`cat ${ENTRYPOINT_LOG}`)).toBe('hi from the sandbox, tester in /home/tester/work\n');
    // it runs on, as the image's user (its shell becomes `sleep` a moment after it logged)
    await pollUntil(async () => /^tester\s+sleep 3600$/m.test(await run('ps -o user,args')), 'the entrypoint to run on as tester', 10_000);
    await manager.stop(spec.id);
    await manager.start(spec.id);
    await pollUntil(async () => (await run(`wc -l < ${ENTRYPOINT_LOG}`)).trim() === '2', 'the second start to log', 10_000);

    // One that exits at once (beta's Cmd) leaves the sandbox running; the spec's entrypoint replaces the image's.
    const beta = await started({ snapshotRef: registry.refs.beta });
    await pollUntil(async () => (await beta.run(`cat ${ENTRYPOINT_LOG} 2>/dev/null || true`)).length > 0, 'the command of beta to log', 10_000);
    expect(await beta.run(`cat ${ENTRYPOINT_LOG}`)).toBe('the image command ran as 0 in /\n');
    expect(manager.list().find((sandbox) => sandbox.id === beta.spec.id)?.state).toBe('started');
    const custom = await started({ snapshotRef: registry.refs.beta, entrypoint: ['/bin/sh', '-c', 'echo "custom $0 $1"', 'a', 'b'] });
    await pollUntil(async () => (await custom.run(`cat ${ENTRYPOINT_LOG} 2>/dev/null || true`)).length > 0, 'the spec entrypoint to log', 10_000);
    expect(await custom.run(`cat ${ENTRYPOINT_LOG}`)).toBe('custom a b\n');
  });

  it('leaves no layer, disk, loop device, mount or directory once destroyed', async () => {
    const { spec, run } = await started({ snapshotRef: registry.refs.alpha });
    await run('echo data > /root/file; sleep 4712 &');
    const paths = layout.paths(spec.id);
    // its disk and root are mounted in a mount namespace of its own, not in the host's
    expect(await mountsUnderDataDir()).toEqual([]);
    const launcher = await sandboxLauncherPid(` ${paths.rootfs} `);
    expect(await mountPointsOf(launcher, dataDir.dir)).toEqual([paths.disk, paths.rootfs]);
    expect(existsSync(seenBy(launcher, path.join(paths.upper, 'root/file')))).toBe(true);
    expect(await loopDevicesOf(paths.diskImage)).toHaveLength(1);
    await manager.destroy(spec.id);
    expect(await mountsUnderDataDir()).toEqual([]);
    await pollUntil(async () => (await loopDevicesOf(paths.diskImage)).length === 0, 'the loop device to go', 5_000);
    expect(existsSync(paths.dir)).toBe(false);
    expect(await readdir(layout.sandboxesDir)).toEqual([]);
    expect(await hostProcessesMatching('sleep 4712')).toEqual([]);
    // the image itself stays cached for the next sandbox
    expect(images.ready(registry.refs.alpha)).toBeDefined();
  });

  it('pulls and unpacks a never-pulled image once for 200 sandboxes, also for those that arrive while it is pulled', async () => {
    const ref = await registry.pushAs('alpha', `bulk/${path.basename(dataDir.dir).toLowerCase()}:1`);
    const before = registry.blobDownloads();
    const specs = Array.from({ length: 200 }, (_, index) => sandboxSpec({ snapshotRef: ref, name: `bulk-${index}` }));
    manager.create(specs.slice(0, 100));
    await states.waitFor(specs[0].id, 'pulling_snapshot');
    expect(images.ready(ref)).toBeUndefined();
    manager.create(specs.slice(100));
    await Promise.all(specs.map((spec) => states.waitFor(spec.id, 'started', 120_000)));

    expect(images.counts).toEqual({ downloads: 1, unpacks: 1 });
    // every blob of the image (config and layers) left the registry once
    const downloaded = [...registry.blobDownloads()].filter(([digest, count]) => count !== (before.get(digest) ?? 0));
    expect(downloaded.length).toBeGreaterThanOrEqual(2);
    for (const [digest, count] of downloaded) expect([digest, count - (before.get(digest) ?? 0)]).toEqual([digest, 1]);
    for (const spec of specs.slice(0, 100)) expect(states.statesOf(spec.id)).toEqual(['pulling_snapshot', 'starting', 'started']);
    // the later ones waited for the same pull, or found it done when their turn came
    for (const spec of specs.slice(100)) expect(states.statesOf(spec.id).slice(-2)).toEqual(['starting', 'started']);
    expect((await manager.execute(specs[199].id, { command: 'cat /marker' })).result).toBe('alpha\n');
  }, 180_000);
});
