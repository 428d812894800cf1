import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { ImageStore } from '../src/images/image-store.js';
import type { BwrapProvider } from '../src/provider/bwrap-provider.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';
import { hostProcessesMatching } from './support/host-processes.js';
import { RecordingStateSink } from './support/recording-state-sink.js';
import { REPO_ROOT } from './support/runner-process.js';
import { sandboxSpec, tempDataDir, testBwrapProvider, USERNS } from './support/sandbox-fixtures.js';
import { silentLogger } from './support/silent-logger.js';
import { startTestRegistry, type TestRegistry } from './support/test-registry.js';

// The default image (Debian bookworm, user daytona with passwordless sudo), built from Debian's
// packages once per machine. Its unpacked copy is kept between runs, like a runner's cache: the
// first run pulls and unpacks it (about 15 s), later ones find its digest there.
const IMAGE_CACHE = path.join(REPO_ROOT, '.cache', 'runner-tests');

describe('the default image', () => {
  let registry: TestRegistry;
  let ref: string;
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: BwrapProvider;
  let states: RecordingStateSink;
  let manager: SandboxManager;
  let images: ImageStore;

  beforeAll(async () => {
    registry = await startTestRegistry();
    ref = await registry.pushDefaultImage();
    dataDir = await tempDataDir();
    ({ provider } = await testBwrapProvider(dataDir.dir));
    images = await ImageStore.open({
      cacheDir: path.join(IMAGE_CACHE, 'images'),
      idMap: USERNS,
      maxBytes: 10 * 1024 ** 3,
      insecureRegistries: [registry.host],
      pullTimeoutSeconds: 300,
      logger: silentLogger,
    });
    states = new RecordingStateSink();
    manager = new SandboxManager(provider, states, { startConcurrency: 4, execDefaultTimeoutSeconds: 60, images }, silentLogger);
    const { digest } = await images.ensure(ref);
    // Earlier builds of the image are of no use here any more.
    const unpacked = path.join(IMAGE_CACHE, 'images', 'rootfs', `${USERNS.base}-${USERNS.size}`);
    for (const entry of await readdir(unpacked)) {
      if (entry !== digest.replace(':', '-')) await rm(path.join(unpacked, entry), { recursive: true, force: true });
    }
  }, 600_000);

  afterAll(async () => {
    // After a failed beforeAll, only what it made.
    if (manager) await Promise.all(manager.list().map(({ id }) => manager.destroy(id)));
    await provider?.close();
    await dataDir?.remove();
    await registry?.stop();
  });

  async function started(overrides: Partial<RunnerSandboxSpec> = {}) {
    const spec = sandboxSpec({ snapshotRef: ref, ...overrides });
    manager.create([spec]);
    const update = await states.waitFor(spec.id, ['started', 'error'], 120_000);
    if (update.state === 'error') throw new Error(`${spec.id} failed: ${update.errorReason}`);
    const run = async (command: string) => {
      const result = await manager.execute(spec.id, { command });
      if (result.exitCode !== 0) throw new Error(`${command} exited ${result.exitCode}: ${result.result}`);
      return result.result;
    };
    return { spec, run };
  }

  it('runs commands as daytona in its home, with the tools it promises', async () => {
    const { run } = await started();
    expect(await run('id -un; id -u; id -g; pwd; echo "$HOME $LANG"; echo "$PATH"')).toBe(
      'daytona\n1000\n1000\n/home/daytona\n/home/daytona C.UTF-8\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n',
    );
    expect(await run('python3 --version; bash --version | head -1; git --version; curl --version | head -1; ls /etc/ssl/certs/ca-certificates.crt')).toMatch(
      /^Python 3\.11\.\d+\nGNU bash, version 5\.2.*\ngit version 2\.39.*\ncurl 7\.88.*\n\/etc\/ssl\/certs\/ca-certificates\.crt\n$/,
    );
    expect(await run('cat /etc/os-release')).toContain('VERSION_CODENAME=bookworm');
  });

  it('lets daytona sudo: root inside, the mapped host uid outside; system files it changes persist and stay its own', async () => {
    const one = await started({ name: 'one' });
    const sibling = await started({ name: 'sibling' });
    expect(await one.run('sudo -n id -u; sudo -n id -un')).toBe('0\nroot\n');
    await one.run('sudo -n sh -c "echo installed > /usr/local/bin/tool && chmod +x /usr/local/bin/tool && echo 10.1.1.1 db >> /etc/hosts"');
    await one.run('sudo -n sleep 4721 & sleep 4722 &');
    /** Real, effective, saved and filesystem uid on the host of the process whose command line is `argv`. */
    const hostUids = async (argv: string[]) => {
      for (const pid of await hostProcessesMatching(argv.join(' '))) {
        if ((await readFile(`/proc/${pid}/cmdline`, 'utf8')) !== `${argv.join('\0')}\0`) continue;
        return /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.slice(1).map(Number);
      }
    };
    expect(await hostUids(['sleep', '4721'])).toEqual(Array(4).fill(USERNS.base));
    expect(await hostUids(['sleep', '4722'])).toEqual(Array(4).fill(USERNS.base + 1000));

    expect(await one.run('cat /usr/local/bin/tool; grep db /etc/hosts')).toBe('installed\n10.1.1.1 db\n');
    expect(await sibling.run('ls /usr/local/bin; grep -c db /etc/hosts || true')).toBe('0\n');
    await manager.stop(one.spec.id);
    await manager.start(one.spec.id);
    expect(await one.run('cat /usr/local/bin/tool; grep db /etc/hosts; ls -l /usr/local/bin/tool | cut -d" " -f3')).toBe('installed\n10.1.1.1 db\nroot\n');
    // without sudo, system files stay read-only to daytona
    expect((await manager.execute(one.spec.id, { command: 'touch /etc/hosts' })).result).toMatch(/Permission denied/);
  });
});
