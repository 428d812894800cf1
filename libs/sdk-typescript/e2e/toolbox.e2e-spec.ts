// Files, code runs, sessions and the lifecycle of one sandbox against a live stack, with the
// errors a user meets on the way.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import {
  Daytona,
  DaytonaConflictError,
  DaytonaNotFoundError,
  DaytonaAuthorizationError,
  SandboxState,
  type Sandbox,
} from '../src/index.js';
import { deleteLeftovers, uniquePrefix } from './e2e-support.js';

const daytona = new Daytona();
const name = uniquePrefix('toolbox');
let sandbox: Sandbox;
let local: string;

beforeAll(async () => {
  local = await mkdtemp(join(tmpdir(), 'sdk-ts-e2e-'));
  sandbox = await daytona.create({ name }, { timeout: 60 });
});
afterAll(async () => {
  await deleteLeftovers(daytona, name);
  await rm(local, { recursive: true, force: true });
});

describe('sandbox.fs', () => {
  it('uploads a Buffer, a local file and a stream, and reads them back', async () => {
    const path = join(local, 'from-disk.txt');
    await writeFile(path, 'from disk\n');
    await sandbox.fs.uploadFile(Buffer.from('hello\n'), 'up/hello.txt');
    await sandbox.fs.uploadFiles([
      { source: path, destination: 'up/from-disk.txt' },
      { source: Readable.from([Buffer.from('from a '), Buffer.from('stream\n')]), destination: '/tmp/streamed.txt' },
    ]);

    expect((await sandbox.fs.downloadFile('up/hello.txt')).toString()).toBe('hello\n');
    const names = (await sandbox.fs.listFiles('up')).map((entry) => entry.name).sort();
    expect(names).toEqual(['from-disk.txt', 'hello.txt']);
    expect(await sandbox.fs.getFileDetails('up/from-disk.txt')).toMatchObject({ name: 'from-disk.txt', isDir: false, size: 10, owner: 'daytona' });
    const target = join(local, 'streamed.txt');
    await sandbox.fs.downloadFile('/tmp/streamed.txt', target);
    expect(await readFile(target, 'utf8')).toBe('from a stream\n');
    // The files are the sandbox's own: a command sees them.
    expect(await sandbox.process.executeCommand('cat up/hello.txt /tmp/streamed.txt')).toEqual({ exitCode: 0, result: 'hello\nfrom a stream\n' });
  });

  it('creates folders, moves and deletes', async () => {
    await sandbox.fs.createFolder('work/nested/deep', '750');
    expect(await sandbox.fs.getFileDetails('work/nested/deep')).toMatchObject({ isDir: true, permissions: '0750' });
    await sandbox.fs.uploadFile(Buffer.from('x'), 'work/nested/deep/x.txt');
    await sandbox.fs.moveFiles('work/nested/deep/x.txt', 'work/y.txt');
    expect((await sandbox.fs.listFiles('work')).map((entry) => entry.name).sort()).toEqual(['nested', 'y.txt']);

    await expect(sandbox.fs.deleteFile('work')).rejects.toMatchObject({ constructor: DaytonaConflictError, code: 'directory_not_empty' });
    await sandbox.fs.deleteFile('work', true);
    await expect(sandbox.fs.getFileDetails('work')).rejects.toMatchObject({ constructor: DaytonaNotFoundError, statusCode: 404, code: 'file_not_found' });
  });

  it('downloadFiles answers each path, a missing one with the server’s code', async () => {
    await sandbox.fs.uploadFiles([
      { source: Buffer.from('alpha'), destination: 'many/a.txt' },
      { source: Buffer.from('beta'), destination: 'many/b.txt' },
    ]);
    const target = join(local, 'b.txt');
    const answers = await sandbox.fs.downloadFiles([{ source: 'many/a.txt' }, { source: 'many/missing.txt' }, { source: 'many/b.txt', destination: target }]);

    expect(answers[0]).toEqual({ source: 'many/a.txt', result: Buffer.from('alpha') });
    expect(answers[1]).toMatchObject({ source: 'many/missing.txt', errorDetails: { statusCode: 404, code: 'file_not_found' } });
    expect(answers[1].result).toBeUndefined();
    expect(answers[2]).toEqual({ source: 'many/b.txt', result: target });
    expect(await readFile(target, 'utf8')).toBe('beta');
  });

  it('streams a large file both ways without holding it in memory', async () => {
    const size = 96 * 1024 * 1024;
    const source = join(local, 'large.bin');
    await writeFile(source, randomBytes(1024 * 1024));
    for (let i = 1; i < 96; i++) await writeFile(source, randomBytes(1024 * 1024), { flag: 'a' });
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    try {
      await sandbox.fs.uploadFile(source, 'large.bin');
      const back = join(local, 'large-back.bin');
      await sandbox.fs.downloadFile('large.bin', back);
      expect((await stat(back)).size).toBe(size);
      expect(await sha256(back)).toBe(await sha256(source));
    } finally {
      clearInterval(sampler);
    }
    // Buffered, the file alone would add 96 MiB (twice over for a download into a Buffer).
    expect(peak - baseline).toBeLessThan(48 * 1024 * 1024);
    await sandbox.fs.deleteFile('large.bin');
  });

  it('a path escaping the home to a file the sandbox user may not read is refused with its code, nothing written', async () => {
    const download = sandbox.fs.downloadFile('../../etc/shadow', join(local, 'shadow'));
    await expect(download).rejects.toMatchObject({ constructor: DaytonaAuthorizationError, statusCode: 403, code: 'file_permission_denied' });
    const upload = sandbox.fs.uploadFile(Buffer.from('root::0:0::/:/bin/sh\n'), '../../etc/shadow');
    await expect(upload).rejects.toMatchObject({ constructor: DaytonaAuthorizationError, statusCode: 403, code: 'file_permission_denied' });
    expect((await sandbox.process.executeCommand('id -un; ls -l /etc/shadow | cut -c1-10')).result).toBe('daytona\n-rw-r-----\n');
  });

  it('a missing file is DaytonaNotFoundError file_not_found', async () => {
    await expect(sandbox.fs.downloadFile('no/such/file.txt')).rejects.toMatchObject({
      constructor: DaytonaNotFoundError,
      statusCode: 404,
      code: 'file_not_found',
    });
  });
});

describe('sandbox.process', () => {
  it('codeRun runs Python with arguments and environment', async () => {
    const response = await sandbox.process.codeRun('import os, sys\nprint(sys.argv[1:], os.environ["GREETING"])', {
      argv: ['a', 'b'],
      env: { GREETING: 'hi' },
    });
    expect(response).toEqual({ exitCode: 0, result: "['a', 'b'] hi\n" });
    expect((await sandbox.process.codeRun('import sys; sys.exit(3)')).exitCode).toBe(3);
  });

  it('a session keeps its directory and environment; async commands are read back', async () => {
    await sandbox.process.createSession('e2e');
    await sandbox.process.executeSessionCommand('e2e', { command: 'mkdir -p s && cd s && export MODE=session' });
    const sync = await sandbox.process.executeSessionCommand('e2e', { command: 'echo "$MODE in $(pwd)"' });
    expect(sync).toMatchObject({ exitCode: 0, output: 'session in /home/daytona/s\n' });

    const { cmdId } = await sandbox.process.executeSessionCommand('e2e', { command: 'sleep 0.3; echo done; echo oops >&2', runAsync: true });
    let command = await sandbox.process.getSessionCommand('e2e', cmdId);
    for (let i = 0; command.exitCode === undefined && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      command = await sandbox.process.getSessionCommand('e2e', cmdId);
    }
    expect(command).toMatchObject({ id: cmdId, exitCode: 0 });
    expect(await sandbox.process.getSessionCommandLogs('e2e', cmdId)).toMatchObject({ stdout: 'done\n', stderr: 'oops\n', truncated: false });

    expect((await sandbox.process.listSessions()).map((session) => session.sessionId)).toContain('e2e');
    expect((await sandbox.process.getSession('e2e')).commands).toHaveLength(3);
    await sandbox.process.deleteSession('e2e');
    expect((await sandbox.process.listSessions()).map((session) => session.sessionId)).not.toContain('e2e');
  });

  it('a session that does not exist is DaytonaNotFoundError session_not_found', async () => {
    await expect(sandbox.process.getSession('no-such-session')).rejects.toMatchObject({
      constructor: DaytonaNotFoundError,
      statusCode: 404,
      code: 'session_not_found',
    });
    await expect(sandbox.process.executeSessionCommand('no-such-session', { command: 'true' })).rejects.toMatchObject({
      code: 'session_not_found',
    });
  });
});

describe('lifecycle', () => {
  it('stop keeps the files, start brings the sandbox back', async () => {
    await sandbox.fs.uploadFile(Buffer.from('kept'), 'kept.txt');
    await sandbox.stop();
    expect(sandbox.state).toBe(SandboxState.STOPPED);
    expect((await daytona.get(sandbox.id)).state).toBe(SandboxState.STOPPED);

    await daytona.start(sandbox);
    expect(sandbox.state).toBe(SandboxState.STARTED);
    expect((await sandbox.fs.downloadFile('kept.txt')).toString()).toBe('kept');
    expect(await sandbox.process.executeCommand('echo back')).toEqual({ exitCode: 0, result: 'back\n' });
  });

  it('the interval setters change the record', async () => {
    await sandbox.setAutostopInterval(30);
    await sandbox.setAutoDeleteInterval(120);
    expect([sandbox.autoStopInterval, sandbox.autoDeleteInterval]).toEqual([30, 120]);
    const read = await daytona.get(sandbox.id);
    expect([read.autoStopInterval, read.autoDeleteInterval]).toEqual([30, 120]);
  });

  it('start of a destroyed sandbox is DaytonaConflictError sandbox_state_conflict', async () => {
    await sandbox.delete();
    const attempt = sandbox.start();
    await expect(attempt).rejects.toMatchObject({ constructor: DaytonaConflictError, statusCode: 409, code: 'sandbox_state_conflict' });
  });
});

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
