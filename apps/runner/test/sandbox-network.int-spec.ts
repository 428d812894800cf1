import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { ImageStore } from '../src/images/image-store.js';
import { runTool } from '../src/images/run-tool.js';
import type { BwrapProvider } from '../src/provider/bwrap-provider.js';
import { SandboxManager } from '../src/sandbox/sandbox-manager.js';
import { hostProcessesMatching } from './support/host-processes.js';
import { RecordingStateSink } from './support/recording-state-sink.js';
import { REPO_ROOT } from './support/runner-process.js';
import { sandboxSpec, tempDataDir, testBwrapProvider, USERNS } from './support/sandbox-fixtures.js';
import { silentLogger } from './support/silent-logger.js';
import { METADATA_ADDRESS, startTestInternet, TEST_HOST_PORT, type TestInternet } from './support/test-internet.js';
import { startTestRegistry, type TestRegistry } from './support/test-registry.js';

const IMAGE_CACHE = path.join(REPO_ROOT, '.cache', 'runner-tests');

// Sandboxes of the default image (curl, python3) against "the internet" of a test network
// namespace, the host's own services, a private range and the metadata address.
describe('sandbox networks', () => {
  let registry: TestRegistry;
  let ref: string;
  let internet: TestInternet;
  let hostServices: Server[];
  let hostPorts: number[];
  let dataDir: Awaited<ReturnType<typeof tempDataDir>>;
  let provider: BwrapProvider;
  let states: RecordingStateSink;
  let manager: SandboxManager;

  beforeAll(async () => {
    [registry, internet] = await Promise.all([startTestRegistry(), startTestInternet()]);
    ref = await registry.pushDefaultImage();
    // An API-like and a runner-like port on the host's loopback, and one on every address.
    hostServices = await Promise.all(['127.0.0.1', '127.0.0.1', '0.0.0.0'].map(listen));
    hostPorts = hostServices.map((server) => (server.address() as AddressInfo).port);
    dataDir = await tempDataDir();
    ({ provider } = await testBwrapProvider(dataDir.dir, { sandboxDns: internet.publicHosts[0] }));
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
    manager = new SandboxManager(provider, states, { startConcurrency: 4, execDefaultTimeoutSeconds: 60, images }, silentLogger);
  }, 600_000);

  afterAll(async () => {
    await Promise.all(manager?.list().map(({ id }) => manager.destroy(id)) ?? []);
    await provider?.close();
    await dataDir?.remove();
    for (const server of hostServices ?? []) server.close();
    await internet?.stop();
    await registry?.stop();
  }, 60_000);

  async function started(network: Pick<RunnerSandboxSpec, 'networkBlockAll' | 'networkAllowList'>) {
    const spec = sandboxSpec({ snapshotRef: ref, ...network });
    manager.create([spec]);
    const update = await states.waitFor(spec.id, ['started', 'error'], 60_000);
    if (update.state === 'error') throw new Error(`${spec.id} failed: ${update.errorReason}`);
    const run = async (command: string) => (await manager.execute(spec.id, { command, timeout: 30 })).result;
    return { spec, run, get: (url: string) => run(`curl -sS --max-time 3 ${url} 2>&1 || echo unreachable`) };
  }

  const url = (host: string, port = TEST_HOST_PORT) => `http://${host}:${port}/`;

  it('gives an egress sandbox the internet, with DNS', async () => {
    const sandbox = await started({ networkBlockAll: false });
    expect(await sandbox.get(url(internet.publicHosts[0]))).toBe(`hello from ${internet.publicHosts[0]}\n`);
    expect(await sandbox.get(url('internet.test'))).toBe(`hello from ${internet.publicHosts[0]}\n`);
    expect(await sandbox.run("cat /etc/resolv.conf")).toBe(`nameserver ${internet.publicHosts[0]}\n`);
  });

  it('gives a sandbox that says nothing, or networkBlockAll, only lo', async () => {
    for (const network of [{}, { networkBlockAll: true }]) {
      const sandbox = await started(network);
      expect(await sandbox.run(`tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`)).toBe('lo\n');
      expect(await sandbox.get(url(internet.publicHosts[0]))).toMatch(/unreachable/);
    }
  });

  it('reaches only what the allow list names', async () => {
    const sandbox = await started({ networkBlockAll: false, networkAllowList: [`${internet.publicHosts[0]}/32`, `${internet.privateHost}/32`] });
    expect(await sandbox.get(url(internet.publicHosts[0]))).toBe(`hello from ${internet.publicHosts[0]}\n`);
    expect(await sandbox.get(url(internet.publicHosts[1]))).toMatch(/unreachable/);
    // Private ranges only when listed.
    expect(await sandbox.get(url(internet.privateHost))).toBe(`hello from ${internet.privateHost}\n`);
  });

  it('never reaches the host, a private range or the metadata address from an egress sandbox', async () => {
    // Each is there: the host reaches it. What stops the sandbox is the block.
    for (const target of [url('127.0.0.1', hostPorts[0]), url(internet.privateHost), url(METADATA_ADDRESS), url(internet.hostAddress, hostPorts[2])]) {
      expect((await fetch(target)).ok).toBe(true);
    }
    const sandbox = await started({ networkBlockAll: false });
    const hostAddresses = Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).filter((entry) => entry.family === 'IPv4').map((entry) => entry.address));
    const targets = [
      ...hostPorts.slice(0, 2).map((port) => url('127.0.0.1', port)),
      ...hostAddresses.map((address) => url(address, hostPorts[2])),
      url(internet.privateHost),
      url(METADATA_ADDRESS),
    ];
    expect(hostAddresses).toContain(internet.hostAddress);
    for (const target of targets) expect(`${target}: ${await sandbox.get(target)}`).toMatch(/unreachable/);
    // Nor with an allow list that names them all: loopback and link-local stay blocked.
    const listed = await started({ networkBlockAll: false, networkAllowList: ['127.0.0.0/8', '169.254.0.0/16'] });
    for (const target of [url('127.0.0.1', hostPorts[0]), url(METADATA_ADDRESS)]) expect(`${target}: ${await listed.get(target)}`).toMatch(/unreachable/);
    // Nor through the user-mode network's gateway, allow-listed, which could lead to the host's loopback.
    const gateway = await started({ networkBlockAll: false, networkAllowList: ['10.0.0.0/8'] });
    for (const target of [url('10.0.2.2', hostPorts[0]), url('10.0.2.2', hostPorts[1])]) expect(`${target}: ${await gateway.get(target)}`).toMatch(/unreachable/);
  });

  it("cannot lift its own rules: the namespace's owner is not the sandbox's root", async () => {
    const sandbox = await started({ networkBlockAll: false });
    const pid = await sandboxInitPid(sandbox.spec.id);
    // The host's nft and ip, run with exactly the credentials of root inside the sandbox (its user
    // namespace, all its capabilities there) in the sandbox's network namespace, without even seccomp.
    const asSandboxRoot = (argv: string[]) =>
      runTool('nsenter', ['-t', String(pid), '-n', '-U', '-S', '0', '-G', '0', '--', ...argv], { deadline: Date.now() + 10_000, deadlineReason: 'hung' }).then(
        () => 'changed',
        (error: Error) => error.message,
      );
    const rulesBefore = await rulesOf(pid);
    expect(rulesBefore).toContain('table inet daytona_sandbox');
    expect(await asSandboxRoot(['nft', 'flush', 'ruleset'])).not.toBe('changed');
    expect(await asSandboxRoot(['nft', 'add', 'rule', 'inet', 'daytona_sandbox', 'output', 'position', '0', 'accept'])).not.toBe('changed');
    expect(await asSandboxRoot(['ip', 'route', 'replace', 'default', 'dev', 'lo'])).toMatch(/Operation not permitted/);
    expect(await asSandboxRoot(['ip', 'link', 'set', 'lo', 'down'])).toMatch(/Operation not permitted/);
    expect(await rulesOf(pid)).toBe(rulesBefore);
    expect(await sandbox.get(url(METADATA_ADDRESS))).toMatch(/unreachable/);
    expect(await sandbox.get(url(internet.publicHosts[0]))).toBe(`hello from ${internet.publicHosts[0]}\n`);
  });

  const rulesOf = async (pid: number) =>
    (await runTool('nsenter', ['-t', String(pid), '-n', 'nft', 'list', 'ruleset'], { deadline: Date.now() + 10_000, deadlineReason: 'hung' })).toString();

  /** The sandbox's init, as the runner enters it: the host pid of sandbox-init in its cgroup. */
  async function sandboxInitPid(id: string): Promise<number> {
    for (const pid of await hostProcessesMatching('/proc/self/fd/')) {
      const program = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
      if (program === 'sandbox-init\n' && (await readFile(`/proc/${pid}/cgroup`, 'utf8').catch(() => '')).includes(id)) return pid;
    }
    throw new Error(`no init of ${id}`);
  }
});

function listen(address: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = createServer((_, response) => response.end('host service\n'));
    server.listen(0, address, () => resolve(server));
  });
}
