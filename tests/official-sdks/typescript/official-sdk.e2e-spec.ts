// The published @daytonaio/sdk (pinned in this folder's package.json), as a user would point it at
// this server: only apiUrl and apiKey. Run against a live stack:
//   node tools/e2e/with-stack.mjs -- node --experimental-vm-modules node_modules/jest/bin/jest.js -c tests/official-sdks/typescript/jest.config.js
import { randomBytes } from 'node:crypto';
import { Daytona, DaytonaBadRequestError, DaytonaNotFoundError, type Sandbox } from '@daytonaio/sdk';
import officialPackage from '@daytonaio/sdk/package.json' with { type: 'json' };

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run these tests through tools/e2e/with-stack.mjs`);
  return value;
}

const daytona = new Daytona({ apiUrl: requiredEnv('DAYTONA_API_URL'), apiKey: requiredEnv('DAYTONA_API_KEY') });
const run = `official-ts-${randomBytes(4).toString('hex')}`;
/** Every sandbox this file created, deleted at the end whatever happened. */
const created: Sandbox[] = [];

afterAll(async () => {
  await Promise.allSettled(created.map((sandbox) => daytona.delete(sandbox)));
  await daytona[Symbol.asyncDispose]();
});

it('is the published package, not our SDK of the same name', () => {
  expect(officialPackage.version).toBe('0.218.0');
});

describe('one sandbox through its life', () => {
  let sandbox: Sandbox;
  const content = Buffer.from(`hello from ${run}\n${randomBytes(2048).toString('base64')}\n`);

  it('create() from the default snapshot answers a started sandbox with the record the SDK reads', async () => {
    sandbox = await daytona.create({ labels: { run } }, { timeout: 60 });
    created.push(sandbox);

    expect(sandbox.state).toBe('started');
    expect(sandbox.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandbox.snapshot).toBe('default');
    expect(sandbox.labels).toEqual({ run, 'code-toolbox-language': 'python' });
    expect(sandbox.user).toBe('daytona');
    expect(sandbox.toolboxProxyUrl).toBe(`${requiredEnv('DAYTONA_API_URL')}/toolbox`);
  });

  it('get() finds it by id and by name', async () => {
    const byId = await daytona.get(sandbox.id);
    expect([byId.id, byId.name, byId.state]).toEqual([sandbox.id, sandbox.name, 'started']);
    const byName = await daytona.get(sandbox.name);
    expect(byName.id).toBe(sandbox.id);
  });

  it('list() pages through the sandboxes and finds it by label', async () => {
    const listed: Sandbox[] = [];
    for await (const item of daytona.list({ labels: { run }, limit: 1 })) listed.push(item);
    expect(listed.map((item) => item.id)).toEqual([sandbox.id]);
  });

  it('process.executeCommand runs in the sandbox, with cwd and env', async () => {
    expect(await sandbox.process.executeCommand('echo hello')).toMatchObject({ exitCode: 0, result: 'hello\n' });
    const answer = await sandbox.process.executeCommand('echo "$GREETING from $(pwd)"; exit 3', '/tmp', { GREETING: 'hi' });
    expect(answer).toMatchObject({ exitCode: 3, result: 'hi from /tmp\n' });
  });

  it('fs uploads a file, lists it and downloads the same bytes', async () => {
    await sandbox.fs.uploadFile(content, 'notes/hello.txt');

    const files = await sandbox.fs.listFiles('notes');
    expect(files.map((file) => [file.name, file.isDir, file.size])).toEqual([['hello.txt', false, content.length]]);
    const downloaded = await sandbox.fs.downloadFile('notes/hello.txt');
    expect(Buffer.compare(downloaded, content)).toBe(0);
    // The file is where a command of the sandbox sees it: relative paths are the user's home.
    expect(await sandbox.process.executeCommand('sha256sum < ~/notes/hello.txt')).toMatchObject({ exitCode: 0 });
  });

  it('process.codeRun runs Python (the language of the label create() sets)', async () => {
    const answer = await sandbox.process.codeRun('import sys\nprint(6 * 7, sys.argv[1:])', { argv: ['a', 'b'] });
    expect(answer).toMatchObject({ exitCode: 0, result: "42 ['a', 'b']\n" });
  });

  it('setAutostopInterval, setAutoDeleteInterval and setLabels change the record', async () => {
    await sandbox.setAutostopInterval(30);
    await sandbox.setAutoDeleteInterval(120);
    expect(await sandbox.setLabels({ run, 'code-toolbox-language': 'python', stage: 'two' })).toEqual({ run, 'code-toolbox-language': 'python', stage: 'two' });
    const current = await daytona.get(sandbox.id);
    expect([current.autoStopInterval, current.autoDeleteInterval, current.labels.stage]).toEqual([30, 120, 'two']);
  });

  it('stop() ends its processes and keeps its files; start() brings it back to run commands again', async () => {
    // `[s]leep`: the pattern does not match the shell that runs pgrep, whose command line holds it.
    await sandbox.process.executeCommand('nohup sleep 612 >/dev/null 2>&1 &');
    expect(await sandbox.process.executeCommand("pgrep -f '[s]leep 612' >/dev/null && echo running")).toMatchObject({ result: 'running\n' });
    await sandbox.stop();
    expect(sandbox.state).toBe('stopped');
    expect((await daytona.get(sandbox.id)).state).toBe('stopped');

    await sandbox.start();
    expect(sandbox.state).toBe('started');
    const answer = await sandbox.process.executeCommand("cat ~/notes/hello.txt; pgrep -f '[s]leep 612' || echo no sleep");
    expect(answer).toMatchObject({ exitCode: 0, result: `${content.toString()}no sleep\n` });
    expect(Buffer.compare(await sandbox.fs.downloadFile('notes/hello.txt'), content)).toBe(0);
  });

  it('delete() destroys it: get() then says destroyed (or not found) and list() no longer has it', async () => {
    await sandbox.delete();
    await expect(waitUntilGone(sandbox.id)).resolves.toBe(true);
    const listed: Sandbox[] = [];
    for await (const item of daytona.list({ labels: { run } })) listed.push(item);
    expect(listed).toEqual([]);
  });
});

it('create() with what this server cannot honour is refused with 400 and a code naming it, and creates nothing', async () => {
  const refused = daytona.create({ name: `${run}-public`, public: true, labels: { run, refused: 'yes' } });
  await expect(refused).rejects.toBeInstanceOf(DaytonaBadRequestError);
  await expect(refused).rejects.toMatchObject({ statusCode: 400, code: 'unsupported_field', message: expect.stringContaining('public') });
  await expect(daytona.create({ volumes: [{ volumeId: 'data', mountPath: '/data' }], labels: { run, refused: 'yes' } })).rejects.toMatchObject({
    statusCode: 400,
    code: 'unsupported_field',
    message: expect.stringContaining('volumes'),
  });
  const listed: Sandbox[] = [];
  for await (const item of daytona.list({ labels: { run, refused: 'yes' } })) listed.push(item);
  expect(listed).toEqual([]);
});

it('several create() calls at once each answer their own started sandbox', async () => {
  const n = 8;
  const sandboxes = await Promise.all(
    Array.from({ length: n }, (_, i) => daytona.create({ name: `${run}-many-${i}`, labels: { run, many: 'yes' } }, { timeout: 90 })),
  );
  created.push(...sandboxes);

  expect(new Set(sandboxes.map((sandbox) => sandbox.id)).size).toBe(n);
  expect(sandboxes.map((sandbox) => [sandbox.name, sandbox.state])).toEqual(
    Array.from({ length: n }, (_, i) => [`${run}-many-${i}`, 'started']),
  );
  const answers = await Promise.all(sandboxes.map((sandbox) => sandbox.process.executeCommand('hostname; echo $((6 * 7))')));
  for (const answer of answers) expect(answer).toMatchObject({ exitCode: 0, result: expect.stringMatching(/\n42\n$/) });

  await Promise.all(sandboxes.map((sandbox) => sandbox.delete()));
  await expect(Promise.all(sandboxes.map((sandbox) => waitUntilGone(sandbox.id)))).resolves.toEqual(Array(n).fill(true));
});

/** true once get() says destroyed or not found (the runner destroys a deleted sandbox moments later). */
async function waitUntilGone(id: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const current = await daytona.get(id);
      if (current.state === 'destroyed') return true;
    } catch (error) {
      if (error instanceof DaytonaNotFoundError) return true;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
