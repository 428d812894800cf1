import { statfs, stat } from 'node:fs/promises';
import path from 'node:path';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { ImageStore } from '../src/images/image-store.js';
import type { BwrapProvider } from '../src/provider/bwrap-provider.js';
import type { SandboxLayout } from '../src/sandbox/sandbox-layout.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';
import { loopDevicesOf } from './support/loop-devices.js';
import { pollUntil } from './support/leftovers.js';
import { RecordingStateSink } from './support/recording-state-sink.js';
import { REPO_ROOT } from './support/runner-process.js';
import { sandboxSpec, tempDataDir, testBwrapProvider, USERNS } from './support/sandbox-fixtures.js';
import { silentLogger } from './support/silent-logger.js';
import { startTestRegistry, type TestRegistry } from './support/test-registry.js';

const IMAGE_CACHE = path.join(REPO_ROOT, '.cache', 'runner-tests');

// Calls the kernel refuses a sandbox (seccomp), from python3 in the default image: each prints
// the errno it got, or "allowed".
const SYSCALLS = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
def attempt(number, *args):
    result = libc.syscall(number, *[ctypes.c_long(a) for a in args])
    print("allowed" if result >= 0 else os.strerror(ctypes.get_errno()))
calls = {
    "bpf": (321, 0, 0, 0),                      # BPF_MAP_CREATE with no attributes
    "keyctl": (250, 0, 0),                      # KEYCTL_GET_KEYRING_ID
    "add_key": (248, 0, 0, 0, 0, 0),
    "perf_event_open": (298, 0, 0, -1, -1, 0),
    "userfaultfd": (323, 0),
    "ptrace": (101, 0, 0, 0, 0),                # PTRACE_TRACEME
    "init_module": (175, 0, 0, 0),
    "kexec_load": (246, 0, 0, 0, 0),
    "io_uring_setup": (425, 1, 0),
    "mount": (165, 0, 0, 0, 0, 0),
    "open_tree": (428, -100, 0, 0),
    "unshare_user": (272, 0x10000000),
    "unshare_net": (272, 0x40000000),
}
attempt(*calls[sys.argv[1]])
`;

describe('sandbox confinement', () => {
  let registry: TestRegistry;
  let ref: string;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: BwrapProvider;
  let layout: SandboxLayout;
  let states: RecordingStateSink;
  let manager: SandboxManager;

  beforeAll(async () => {
    registry = await startTestRegistry();
    ref = await registry.pushDefaultImage();
    dataDir = await tempDataDir();
    ({ provider, layout } = await testBwrapProvider(dataDir.dir));
    const images = await ImageStore.open({
      cacheDir: path.join(IMAGE_CACHE, 'images'),
      idMap: USERNS,
      maxBytes: 10 * 1024 ** 3,
      insecureRegistries: [registry.host],
      pullTimeoutSeconds: 300,
      logger: silentLogger,
    });
    await images.ensure(ref);
    states = new RecordingStateSink();
    manager = new SandboxManager(provider, states, { startConcurrency: 4, execDefaultTimeoutSeconds: 120, images }, silentLogger);
  }, 600_000);

  afterAll(async () => {
    await Promise.all(manager?.list().map(({ id }) => manager.destroy(id)) ?? []);
    await provider?.close();
    await dataDir?.remove();
    await registry?.stop();
  }, 60_000);

  async function started(overrides: Partial<RunnerSandboxSpec> = {}) {
    const spec = sandboxSpec({ snapshotRef: ref, ...overrides });
    manager.create([spec]);
    const update = await states.waitFor(spec.id, ['started', 'error'], 60_000);
    if (update.state === 'error') throw new Error(`${spec.id} failed: ${update.errorReason}`);
    const run = (command: string) => manager.execute(spec.id, { command, timeout: 120 });
    return { spec, run, output: async (command: string) => (await run(command)).result };
  }

  it('refuses kernel modules, kexec, bpf, perf, keys, userfaultfd, ptrace, io_uring, mounts and new namespaces, to root too', async () => {
    const sandbox = await started();
    await sandbox.output(`cat > /tmp/syscalls.py <<'EOF'\n${SYSCALLS}\nEOF`);
    for (const call of ['bpf', 'keyctl', 'add_key', 'perf_event_open', 'userfaultfd', 'ptrace', 'init_module', 'kexec_load', 'io_uring_setup', 'mount', 'open_tree', 'unshare_user', 'unshare_net']) {
      // As root (sudo), which has every capability inside: the filter is what says no.
      expect(`${call}: ${await sandbox.output(`sudo -n python3 /tmp/syscalls.py ${call}`)}`).toBe(`${call}: Operation not permitted\n`);
    }
    expect(await sandbox.output('unshare -U true 2>&1; sudo -n mount -t tmpfs none /mnt 2>&1; true')).toMatch(/unshare.*Operation not permitted[\s\S]*mount.*permission denied|Operation not permitted/i);
    // Every process is under it: the init that bwrap started and each command that entered.
    expect(await sandbox.output('grep Seccomp: /proc/1/status /proc/self/status')).toBe('/proc/1/status:Seccomp:\t2\n/proc/self/status:Seccomp:\t2\n');
    // ...which leaves setuid working.
    expect(await sandbox.output('sudo -n id -u')).toBe('0\n');
  });

  it('holds writes to the sandbox disk: ENOSPC inside, nothing else on the runner affected', async () => {
    const full = await started({ disk: 0.25 });
    const neighbour = await started({ disk: 0.25 });
    const hostBefore = await statfs(dataDir.dir);
    const written = await full.run('dd if=/dev/zero of=/home/daytona/fill bs=1M count=400 2>&1; df -k / | tail -1');
    expect(written.exitCode).toBe(0);
    expect(written.result).toMatch(/No space left on device/);
    expect(written.result).toMatch(/\s100%\s/);
    // The file it lives in took at most about the limit on the host.
    expect((await stat(layout.paths(full.spec.id).diskImage)).blocks * 512).toBeLessThan(0.3 * 1024 ** 3);
    const hostAfter = await statfs(dataDir.dir);
    expect((hostBefore.bavail - hostAfter.bavail) * hostAfter.bsize).toBeLessThan(0.35 * 1024 ** 3);
    // Its neighbour writes on; so does the host.
    expect(await neighbour.output('dd if=/dev/zero of=/home/daytona/some bs=1M count=10 2>&1 | tail -1; echo $?')).toMatch(/10485760 bytes[\s\S]*\n0\n$/);
    const diskImage = layout.paths(full.spec.id).diskImage;
    await manager.destroy(full.spec.id);
    await pollUntil(async () => (await loopDevicesOf(diskImage)).length === 0, 'the loop device to go', 5_000);
    await expect(stat(diskImage)).rejects.toThrow(/ENOENT/);
  });

  it('refuses to set project ids and extended flags (FS_IOC_FSSETXATTR)', async () => {
    const sandbox = await started();
    const script = `
import fcntl, os
FS_IOC_FSGETXATTR, FS_IOC_FSSETXATTR = 0x801c581f, 0x401c5820
fd = os.open("/home/daytona", os.O_RDONLY | os.O_DIRECTORY)
attrs = bytearray(28)
fcntl.ioctl(fd, FS_IOC_FSGETXATTR, attrs)
try:
    fcntl.ioctl(fd, FS_IOC_FSSETXATTR, bytes(attrs)); print("allowed")
except OSError as e: print(e.strerror)
`;
    await sandbox.output(`cat > /tmp/xattr.py <<'EOF'\n${script}\nEOF`);
    expect(await sandbox.output('sudo -n python3 /tmp/xattr.py')).toBe('Operation not permitted\n');
  });
});
