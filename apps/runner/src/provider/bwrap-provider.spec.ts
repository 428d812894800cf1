import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { RunnerSandboxSpec } from '@daytona/runner-contract';
import { hostProcessesMatching } from '../../test/support/host-processes.js';
import { sandboxLauncherPid, seenBy } from '../../test/support/sandbox-mounts.js';
import { sandboxSpec, tempDataDir, testBwrapProvider } from '../../test/support/sandbox-fixtures.js';
import type { SandboxCgroups } from '../cgroups/sandbox-cgroups.js';
import type { SandboxLayout } from '../sandbox/sandbox-layout.js';
import type { BwrapProvider } from './bwrap-provider.js';
import type { RunningSandbox, SandboxCommand } from './sandbox-provider.js';

// Real bubblewrap, real namespaces, real cgroups: nothing here is mocked.
describe('BwrapProvider', () => {
  let dataDir: { dir: string; remove: () => Promise<void> };
  let provider: BwrapProvider;
  let layout: SandboxLayout;
  let cgroups: SandboxCgroups;
  let running: Array<{ id: string; sandbox: RunningSandbox }>;
  let providers: BwrapProvider[];

  async function useProvider(options: Parameters<typeof testBwrapProvider>[1] = {}) {
    ({ provider, layout, cgroups } = await testBwrapProvider(dataDir.dir, options));
    providers.push(provider);
  }

  async function startSandbox(overrides: Partial<RunnerSandboxSpec> = {}) {
    const spec = sandboxSpec(overrides);
    const sandbox = await provider.start(spec, () => undefined);
    running.push({ id: spec.id, sandbox });
    return { spec, sandbox, run: (command: string, extra: Partial<SandboxCommand> = {}) => sandbox.execute({ command, env: {}, timeoutSeconds: 30, ...extra }) };
  }

  beforeEach(async () => {
    dataDir = await tempDataDir();
    running = [];
    providers = [];
    await useProvider();
  });

  afterEach(async () => {
    for (const { id, sandbox } of running) {
      await sandbox.stop();
      await provider.removeTraces(id);
    }
    for (const each of providers) await each.close();
    await dataDir.remove();
  });

  it('passes its own start-up probe', async () => {
    expect(await provider.probe()).toBeNull();
  });

  it('runs a command and returns its output', async () => {
    const { run } = await startSandbox();
    expect(await run('echo hello')).toEqual({ exitCode: 0, result: 'hello\n', truncated: false, timedOut: false });
  });

  it('propagates exit codes and interleaves stderr with stdout', async () => {
    const { run } = await startSandbox();
    expect(await run('echo out; echo err >&2; exit 3')).toMatchObject({ exitCode: 3, result: 'out\nerr\n' });
  });

  it('keeps files between commands, in a home on its own disk, mounted where only the sandbox sees it', async () => {
    const { spec, run } = await startSandbox();
    expect((await run('echo kept > note.txt')).exitCode).toBe(0);
    expect((await run('cat /home/daytona/note.txt')).result).toBe('kept\n');
    const { diskHome } = layout.paths(spec.id);
    expect(existsSync(path.join(diskHome, 'note.txt'))).toBe(false);
    const launcher = await sandboxLauncherPid(`--bind ${diskHome} `);
    expect(await readFile(seenBy(launcher, path.join(diskHome, 'note.txt')), 'utf8')).toBe('kept\n');
  });

  it('has sandbox-init as pid 1, which reaps the processes that end orphaned inside', async () => {
    const { run } = await startSandbox();
    expect((await run('cat /proc/1/comm')).result).toBe('sandbox-init\n');
    // Each background sleep outlives its shell, is reparented to pid 1, and ends a moment later.
    for (let i = 0; i < 5; i++) expect((await run('sleep 0.1 & echo started')).result).toBe('started\n');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await run('ps -e -o stat=,comm=')).result.split('\n').filter((line) => line.startsWith('Z'))).toEqual([]);
  });

  it('keeps a background process alive between commands', async () => {
    const { run } = await startSandbox();
    const started = Date.now();
    expect((await run('sleep 300 & echo started')).result).toBe('started\n');
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await run('ps ax -o args')).result).toContain('sleep 300');
  });

  it('applies cwd and env, the command env over the sandbox env', async () => {
    const { run } = await startSandbox({ env: { GREETING: 'hi', WHO: 'sandbox' } });
    await run('mkdir -p work/dir');
    expect((await run('pwd', { cwd: 'work/dir' })).result).toBe('/home/daytona/work/dir\n');
    expect((await run('pwd', { cwd: '/tmp' })).result).toBe('/tmp\n');
    const result = await run('echo "$GREETING $WHO $HOME"; id -u', { env: { WHO: 'command' } });
    expect(result.result).toBe('hi command /home/daytona\n1000\n');
  });

  it('hands the command to the shell verbatim: quotes, $(...) and ; work as in sh, inside the sandbox', async () => {
    const hostMarker = path.join(dataDir.dir, 'escaped');
    const { run } = await startSandbox();
    const result = await run(`echo "a  b" 'c $HOME' $(echo sub); echo "it's"; touch ${hostMarker} 2>/dev/null; echo \\$VALUE "$VALUE"`, {
      env: { VALUE: "$(touch /tmp/x); it's" },
    });
    expect(result.result).toBe(`a  b c $HOME sub\nit's\n$VALUE $(touch /tmp/x); it's\n`);
    // the data dir does not exist inside the sandbox, so nothing reached the host
    expect(existsSync(hostMarker)).toBe(false);
  });

  it('does not leak the runner environment into the sandbox', async () => {
    process.env.RUNNER_TEST_SECRET = 'do-not-leak-4f1c';
    try {
      const { run } = await startSandbox();
      const result = await run('env; cat /proc/[0-9]*/environ 2>/dev/null | tr "\\0" "\\n"');
      expect(result.result).not.toContain('do-not-leak-4f1c');
      expect(result.result).toContain('HOME=/home/daytona');
    } finally {
      delete process.env.RUNNER_TEST_SECRET;
    }
  });

  it('kills the whole process group on timeout, even a child that ignores SIGTERM', async () => {
    const { run } = await startSandbox();
    const started = Date.now();
    const result = await run(`echo before; sh -c 'trap "" TERM; sleep 307' & sleep 308`, { timeoutSeconds: 1 });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result).toMatchObject({ exitCode: 124, timedOut: true, result: 'before\n' });
    expect(await hostProcessesMatching('sleep 307')).toEqual([]);
    expect(await hostProcessesMatching('sleep 308')).toEqual([]);
  });

  it('truncates output over the limit and says so', async () => {
    await useProvider({ outputLimitBytes: 1024 });
    const { run } = await startSandbox();
    const result = await run(`head -c 5000 /dev/zero | tr '\\0' a`);
    expect(result.truncated).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(result.result.startsWith('a'.repeat(1024) + '\n[output truncated')).toBe(true);
  });

  it('cannot read /etc/shadow, write /usr or see host directories', async () => {
    const { run } = await startSandbox();
    expect((await run('cat /etc/shadow')).exitCode).not.toBe(0);
    expect((await run('touch /usr/escape')).result).toMatch(/Read-only file system/);
    expect((await run(`ls ${dataDir.dir}`)).exitCode).not.toBe(0);
    expect((await run('ls /')).result.split('\n')).not.toContain('work');
  });

  it('isolates sandboxes from each other: files, processes', async () => {
    const a = await startSandbox({ name: 'alpha' });
    const b = await startSandbox({ name: 'beta' });
    await b.run('echo secret > private.txt; sleep 311 &');
    const bHome = layout.paths(b.spec.id).diskHome;

    expect((await a.run(`ls ${bHome}`)).result).toMatch(/No such file or directory/);
    expect((await a.run(`cat ${bHome}/private.txt`)).exitCode).not.toBe(0);
    expect((await a.run(`ls /home`)).result).toBe('daytona\n');
    expect((await a.run('ls /home/daytona')).result).toBe('');
    const psA = (await a.run('ps ax -o args')).result;
    expect(psA).not.toContain('sleep 311');
    expect((await b.run('ps ax -o args')).result).toContain('sleep 311');
    expect((await a.run('hostname')).result).toBe('alpha\n');
    expect((await b.run('hostname')).result).toBe('beta\n');
  });

  describe('network', () => {
    let server: net.Server;
    let port: number;
    beforeEach(async () => {
      server = net.createServer((socket) => socket.end('reached\n'));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as net.AddressInfo).port;
    });
    afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const connect = () => `bash -c 'exec 3<>/dev/tcp/127.0.0.1/${port} && cat <&3'`;

    it('has none by default: only lo, and no way to the host', async () => {
      const { run } = await startSandbox();
      const devices = (await run(`tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '`)).result;
      expect(devices).toBe('lo\n');
      const result = await run(connect(), { timeoutSeconds: 5 });
      expect(result.exitCode).not.toBe(0);
      expect(result.result).not.toContain('reached');
    });
  });

  it('puts the sandbox and its commands in a cgroup with its cpu and memory limits', async () => {
    if (cgroups.support === 'none') {
      console.warn(`SKIPPED cgroup limit assertions: this host has no usable cgroups (${cgroups.problems.join('; ')})`);
      return;
    }
    const { spec, run } = await startSandbox({ cpu: 1.5, memory: 2 });
    await run('sleep 313 &');
    const [sleeper] = await hostProcessesMatching('sleep 313');
    const dirs = cgroups.sandboxDirs(spec.id);
    for (const dir of dirs) {
      expect((await readFile(path.join(dir, 'cgroup.procs'), 'utf8')).split('\n')).toContain(String(sleeper));
    }
    if (cgroups.support === 'v1') {
      const [cpuDir, memoryDir] = dirs;
      expect((await readFile(path.join(cpuDir, 'cpu.cfs_quota_us'), 'utf8')).trim()).toBe('150000');
      expect((await readFile(path.join(cpuDir, 'cpu.cfs_period_us'), 'utf8')).trim()).toBe('100000');
      expect((await readFile(path.join(memoryDir, 'memory.limit_in_bytes'), 'utf8')).trim()).toBe(String(2 * 1024 ** 3));
    } else {
      expect((await readFile(path.join(dirs[0], 'cpu.max'), 'utf8')).trim()).toBe('150000 100000');
      expect((await readFile(path.join(dirs[0], 'memory.max'), 'utf8')).trim()).toBe(String(2 * 1024 ** 3));
    }
  });

  it('keeps a fork bomb inside its sandbox with the pids limit', async () => {
    if (!cgroups.limitsPids) {
      console.warn('SKIPPED pids limit: this host has no usable cgroup pids controller');
      return;
    }
    await useProvider({ pidsMax: 32 });
    const { spec, run } = await startSandbox();
    // The loop's forks fail once the sandbox holds 32 tasks; the command itself still returns.
    await run('for i in $(seq 1 100); do sleep 300 & done 2>/dev/null; true');
    const pidsDir = cgroups.sandboxDirs(spec.id).at(-1)!;
    const members = (await readFile(path.join(pidsDir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean);
    expect(members.length).toBeGreaterThan(5);
    expect(members.length).toBeLessThanOrEqual(32);
    const sleepers = await hostProcessesMatching('sleep 300');
    expect(sleepers.length).toBeGreaterThan(5);
    expect(sleepers.length).toBeLessThan(members.length);
  });

  it('leaves no trace once stopped and removed: no process, cgroup or directory', async () => {
    const { spec, sandbox, run } = await startSandbox();
    await run('sleep 317 & echo data > file');
    expect(await hostProcessesMatching('sleep 317')).toHaveLength(1);
    await sandbox.stop();
    await provider.removeTraces(spec.id);
    running = running.filter((entry) => entry.id !== spec.id);

    expect(await hostProcessesMatching('sleep 317')).toEqual([]);
    expect(await hostProcessesMatching(layout.paths(spec.id).diskHome)).toEqual([]);
    for (const dir of cgroups.sandboxDirs(spec.id)) expect(existsSync(dir)).toBe(false);
    expect(existsSync(layout.paths(spec.id).dir)).toBe(false);
  });

  it('keeps the home across stop and start', async () => {
    const spec = sandboxSpec();
    const first = await provider.start(spec, () => undefined);
    await first.execute({ command: 'echo survived > kept.txt', env: {}, timeoutSeconds: 10 });
    await first.stop();
    const second = await provider.start(spec, () => undefined);
    running.push({ id: spec.id, sandbox: second });
    expect((await second.execute({ command: 'cat kept.txt', env: {}, timeoutSeconds: 10 })).result).toBe('survived\n');
  });

  it('refuses an image it was not given, with a reason', async () => {
    await expect(provider.start(sandboxSpec({ snapshotRef: 'ubuntu:24.04' }), () => undefined)).rejects.toThrow(
      /Image ubuntu:24.04 is not pulled on this runner/,
    );
  });

  it('explains a failing bwrap, every time: a fast failure never leaves a start hanging', async () => {
    if (process.getuid?.() !== 0) return console.warn('SKIPPED: needs root to make a home the sandbox user cannot reach');
    for (let attempt = 0; attempt < 20; attempt++) {
      const spec = sandboxSpec();
      await mkdir(layout.paths(spec.id).dir, { mode: 0o700 });
      await expect(provider.start(spec, () => undefined)).rejects.toThrow(/bwrap did not start the sandbox .*Can't find source path/);
      await provider.removeTraces(spec.id);
      for (const dir of cgroups.sandboxDirs(spec.id)) expect(existsSync(dir)).toBe(false);
    }
  });

  it('tells when a sandbox dies on its own', async () => {
    const spec = sandboxSpec();
    let died: (reason: string) => void = () => undefined;
    const reason = new Promise<string>((resolve) => (died = resolve));
    running.push({ id: spec.id, sandbox: await provider.start(spec, died) });
    const pids = await hostProcessesMatching(`--bind ${layout.paths(spec.id).diskHome} `);
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    expect(await reason).toMatch(/bwrap process died/);
  });
});
