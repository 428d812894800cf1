import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from '../../../test/support/host-processes.js';
import { BUILD_CACHE_DIR } from '../../../test/support/sandbox-fixtures.js';
import { LaunchServer } from './launch-server.js';
import { prepareLaunchTools } from './sandbox-launcher.js';

describe('LaunchServer (launch-server.c)', () => {
  let server: LaunchServer;
  let dir: string;
  beforeAll(async () => {
    server = new LaunchServer((await prepareLaunchTools(BUILD_CACHE_DIR)).server);
    dir = await mkdtemp(path.join(os.tmpdir(), 'launch-server-'));
  });
  afterAll(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a process with its log, info and ready descriptors and the files asked for, and reports its exit', async () => {
    const logFile = path.join(dir, 'one.log');
    const launched = server.launch({
      argv: ['/bin/sh', '-c', 'echo "{\\"child-pid\\": 7}" >&3; cat <&5; echo to-stderr >&2; echo ready >&4; exit 3'],
      logFile,
      files: ['/etc/hostname'],
    });
    const info: string[] = [];
    launched.onInfo((chunk) => info.push(chunk.toString()));
    await launched.ready;
    expect(await launched.exited).toBe('exit 3');
    expect(launched.pid).toBeGreaterThan(0);
    expect(info.join('')).toBe('{"child-pid": 7}\n');
    expect(await readFile(logFile, 'utf8')).toBe(`${await readFile('/etc/hostname', 'utf8')}to-stderr\n`);
  });

  it('reports a signal by name, a program that is not there by its exit code and words', async () => {
    const killed = server.launch({ argv: ['/bin/sleep', '30'], logFile: path.join(dir, 'killed.log'), files: [] });
    while (killed.pid === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    killed.kill('SIGKILL');
    expect(await killed.exited).toBe('exit SIGKILL');
    expect(killed.hasExited).toBe(true);

    const missing = server.launch({ argv: ['/nonexistent/program'], logFile: path.join(dir, 'missing.log'), files: [] });
    expect(await missing.exited).toBe('exit 127');
    expect(await readFile(path.join(dir, 'missing.log'), 'utf8')).toMatch(/running \/nonexistent\/program: No such file or directory/);
  });

  it('refuses what execve could not take, and goes on serving', async () => {
    expect(await server.launch({ argv: ['/bin/echo', 'a\0b'], logFile: path.join(dir, 'nul.log'), files: [] }).exited).toMatch(/^spawn error an argument holds a NUL byte/);
    const many = server.launch({ argv: ['/bin/true', ...Array.from({ length: 5000 }, () => 'x')], logFile: path.join(dir, 'many.log'), files: [] });
    expect(await many.exited).toBe('spawn error too many arguments');
    expect(await server.launch({ argv: ['/bin/true'], logFile: path.join(dir, 'after.log'), files: [] }).exited).toBe('exit 0');
  });

  it('after its server died, still tells when a process it had started ends, and starts a new server for the next', async () => {
    const own = new LaunchServer((await prepareLaunchTools(BUILD_CACHE_DIR)).server);
    // Detached from the server: setsid, so the server's death does not take it along.
    const launched = own.launch({ argv: ['/usr/bin/setsid', '-w', '/bin/sleep', '1'], logFile: path.join(dir, 'orphan.log'), files: [] });
    while (launched.pid === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    // The server is the class's own business; the test reaches in to kill it as a crash would.
    const serverPid = (own as unknown as { child: { pid: number } }).child.pid;
    process.kill(serverPid, 'SIGKILL');
    expect(await launched.exited).toBe('exit unknown (its launch server died)');
    expect(isAlive(launched.pid)).toBe(false);
    expect(await own.launch({ argv: ['/bin/true'], logFile: path.join(dir, 'next.log'), files: [] }).exited).toBe('exit 0');
    own.close();
  });
});
