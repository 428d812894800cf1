import { SandboxActivity } from '../src/sandbox/services/sandbox-activity.js';
import { expectErrorBody } from './support/http.js';
import { processesMatching } from './support/runner-inspection.js';
import { startToolboxStack, type ToolboxStack } from './support/toolbox-stack.js';

/** Commands, code runs and process sessions in real sandboxes of the default image, through the API. */
describe('toolbox processes', () => {
  let stack: ToolboxStack;
  let sandbox: { id: string; name: string };

  beforeAll(async () => {
    stack = await startToolboxStack();
    sandbox = await stack.createStarted({ labels: { 'code-toolbox-language': 'python' } });
  }, 180_000);
  afterAll(() => stack?.close());

  const session = (path = '') => `/toolbox/${sandbox.id}/process/session${path}`;
  const exec = (sessionId: string, body: object) => stack.client.post(session(`/${sessionId}/exec`), body);

  async function commandWhenDone(sessionId: string, cmdId: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const command = (await stack.client.get(session(`/${sessionId}/command/${cmdId}`))).body;
      if (command.exitCode !== undefined) return command;
      if (Date.now() > deadline) throw new Error(`${cmdId} still running`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('runs commands at the official path with envs, and at the earlier path with env', async () => {
    const official = await stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command: 'echo "$A" "$(pwd)"', envs: { A: 'from-envs' }, cwd: '/tmp', timeout: 0 });
    expect(official).toEqual({ status: 200, body: { exitCode: 0, result: 'from-envs /tmp\n' } });
    const earlier = await stack.client.post(`/toolbox/${sandbox.id}/toolbox/process/execute`, { command: 'echo "$A"', env: { A: 'from-env' } });
    expect(earlier.body).toEqual({ exitCode: 0, result: 'from-env\n' });
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command: 'true', env: { A: '1' }, envs: { A: '2' } }), 400, 'validation_failed');
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command: 'true', timeout: -1 }), 400, 'validation_failed');
  });

  it('runs python code with its arguments and env, in the language of the label by default', async () => {
    const code = 'import sys, os\nprint(sys.argv[1:], os.environ["GREETING"])\nsys.exit(3)';
    const run = await stack.client.post(`/toolbox/${sandbox.id}/process/code-run`, { code, argv: ['a', 'b c'], envs: { GREETING: 'hi' } });
    expect(run).toEqual({ status: 200, body: { exitCode: 3, result: "['a', 'b c'] hi\n" } });
    const timedOut = await stack.client.post(`/toolbox/${sandbox.id}/process/code-run`, { code: 'import time\nprint("begun", flush=True)\ntime.sleep(30)', language: 'python', timeout: 1 });
    expect(timedOut.body).toEqual({ exitCode: 124, result: 'begun\n' });
    const failing = await stack.client.post(`/toolbox/${sandbox.id}/process/code-run`, { code: 'raise ValueError("no")' });
    expect(failing.body.exitCode).toBe(1);
    expect(failing.body.result).toContain('ValueError: no');
  });

  it('says clearly when the image has no interpreter for the language (422 interpreter_not_found)', async () => {
    const javascript = await stack.client.post(`/toolbox/${sandbox.id}/process/code-run`, { code: 'console.log(1)', language: 'javascript' });
    expectErrorBody(javascript, 422, 'interpreter_not_found');
    expect(javascript.body.message).toMatch(/no node on its PATH to run javascript/);
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/process/code-run`, { code: 'let x: number = 1', language: 'typescript' }), 422, 'interpreter_not_found');
    const labelled = await stack.createStarted({ labels: { 'code-toolbox-language': 'javascript' } });
    expectErrorBody(await stack.client.post(`/toolbox/${labelled.id}/process/code-run`, { code: 'console.log(1)' }), 422, 'interpreter_not_found');
    expectErrorBody(await stack.client.post(`/toolbox/${sandbox.id}/process/code-run`, { code: 'x', language: 'cobol' }), 400, 'validation_failed');
  });

  it('keeps cwd and exported env between the commands of a session, and stdout apart from stderr', async () => {
    expect((await stack.client.post(session(), { sessionId: 'work' })).status).toBe(204);
    const first = await exec('work', { command: 'cd /tmp && export MODE=test && echo moved && echo warned >&2' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ cmdId: expect.any(String), exitCode: 0, output: expect.any(String), stdout: 'moved\n', stderr: 'warned\n' });
    // Two pipes: which of their lines the runner reads first is the scheduler's choice.
    expect(first.body.output.split('\n').sort()).toEqual(['', 'moved', 'warned']);
    expect((await exec('work', { command: 'pwd; echo "$MODE"' })).body).toMatchObject({ exitCode: 0, stdout: '/tmp\ntest\n', stderr: '' });
    // A syntax error is that command's failure, not the session's end; output without a newline stays as it is.
    expect((await exec('work', { command: 'echo "unclosed' })).body).toMatchObject({ exitCode: 2 });
    expect((await exec('work', { command: 'printf no-newline; false' })).body).toMatchObject({ exitCode: 1, stdout: 'no-newline' });
    expect((await exec('work', { command: 'read line; echo "read: $line"', suppressInputEcho: true })).body).toMatchObject({ exitCode: 0, stdout: 'read: \n' });

    const listed = (await stack.client.get(session())).body;
    expect(listed).toEqual([{ sessionId: 'work', commands: expect.any(Array) }]);
    expect(listed[0].commands[0]).toEqual({ id: first.body.cmdId, command: 'cd /tmp && export MODE=test && echo moved && echo warned >&2', exitCode: 0 });
    expect((await stack.client.get(session('/work'))).body.commands).toHaveLength(5);
  });

  it('answers runAsync at once, runs commands in order, and serves their state and logs', async () => {
    await stack.client.post(session(), { sessionId: 'async' });
    const started = Date.now();
    const slow = await exec('async', { command: 'sleep 1; echo first >> order.txt; echo slow-done', runAsync: true });
    const fast = await exec('async', { command: 'echo second >> order.txt; echo oops >&2; exit_code=7; (exit $exit_code)', runAsync: true });
    expect(Date.now() - started).toBeLessThan(900);
    expect(slow.body).toEqual({ cmdId: expect.any(String) });
    expect((await stack.client.get(session(`/async/command/${slow.body.cmdId}`))).body).toEqual({ id: slow.body.cmdId, command: expect.any(String) });

    expect(await commandWhenDone('async', fast.body.cmdId)).toMatchObject({ exitCode: 7 });
    expect((await stack.client.get(session(`/async/command/${slow.body.cmdId}`))).body.exitCode).toBe(0);
    expect((await stack.client.get(session(`/async/command/${slow.body.cmdId}/logs`))).body).toEqual({ output: 'slow-done\n', stdout: 'slow-done\n', stderr: '', truncated: false });
    expect((await stack.client.get(session(`/async/command/${fast.body.cmdId}/logs`))).body).toMatchObject({ stdout: '', stderr: 'oops\n' });
    expect((await exec('async', { command: 'cat order.txt' })).body.stdout).toBe('first\nsecond\n');
  });

  it('answers sessions and commands that do not exist with 404, a taken id with 409, an ended session with 409', async () => {
    const sessionsBefore = (await stack.client.get(session())).body;
    expectErrorBody(await stack.client.get(session('/nope')), 404, 'session_not_found');
    expectErrorBody(await exec('nope', { command: 'touch ran-in-no-session' }), 404, 'session_not_found');
    expectErrorBody(await exec('nope', { command: 'touch ran-in-no-session', runAsync: true }), 404, 'session_not_found');
    expectErrorBody(await stack.client.delete(session('/nope')), 404, 'session_not_found');
    expectErrorBody(await stack.client.get(session('/nope/command/x')), 404, 'session_not_found');
    // Nothing ran, no session was made by asking for one.
    expect((await stack.client.get(session())).body).toEqual(sessionsBefore);
    const ran = await stack.client.post(`/toolbox/${sandbox.id}/process/execute`, { command: 'test -e ran-in-no-session && echo ran || echo not-ran' });
    expect(ran.body.result).toBe('not-ran\n');
    await stack.client.post(session(), { sessionId: 'short' });
    expectErrorBody(await stack.client.post(session(), { sessionId: 'short' }), 409, 'session_exists');
    expectErrorBody(await stack.client.post(session(), { sessionId: '../x' }), 400, 'validation_failed');
    expectErrorBody(await stack.client.get(session('/short/command/nope')), 404, 'command_not_found');
    expectErrorBody(await stack.client.get(session('/short/command/nope/logs')), 404, 'command_not_found');
    expect((await exec('short', { command: 'echo bye; exit 3' })).body).toMatchObject({ exitCode: 3, stdout: 'bye\n' });
    expectErrorBody(await exec('short', { command: 'true' }), 409, 'session_ended');
    expect((await stack.client.get(session('/short'))).body.commands).toEqual([expect.objectContaining({ command: 'echo bye; exit 3', exitCode: 3 })]);
    expectErrorBody(await stack.other.get(session()), 404, 'sandbox_not_found');
  });

  it("counts every toolbox call that reaches the sandbox as its activity (lastActivityAt), and no refused one", async () => {
    const activity = stack.api.app.get(SandboxActivity);
    // Never auto-stopped: idle() below makes it look idle for years.
    const own = await stack.createStarted({ autoStopInterval: 0 });
    const longAgo = '2020-01-01T00:00:00.000Z';
    const lastActivity = async () => {
      await activity.flush();
      return (await stack.client.get(`/sandbox/${own.id}`)).body.lastActivityAt as string;
    };
    const idle = async () => {
      await activity.flush();
      await stack.api.dataSource.query(`UPDATE sandbox SET last_activity_at = $2 WHERE id = $1`, [own.id, longAgo]);
    };

    await idle();
    expectErrorBody(await stack.other.post(`/toolbox/${own.id}/process/execute`, { command: 'true' }), 404, 'sandbox_not_found');
    expectErrorBody(await stack.client.post(`/toolbox/${own.id}/process/execute`, { command: 'true', timeout: -1 }), 400, 'validation_failed');
    expect(await lastActivity()).toBe(longAgo);

    for (const call of [
      () => stack.client.get(`/toolbox/${own.id}/files?path=.`),
      () => stack.client.post(`/toolbox/${own.id}/process/execute`, { command: 'true' }),
      () => stack.client.get(`/toolbox/${own.id}/process/session/nope`),
    ]) {
      await idle();
      const before = Date.now();
      const answer = await call();
      const at = await lastActivity();
      expect({ status: answer.status, recent: Date.parse(at) >= before - 1_000 }).toEqual({ status: answer.status, recent: true });
    }
    // A command that lasts is activity until it ends, not only when it began.
    await idle();
    const slow = stack.client.post(`/toolbox/${own.id}/process/execute`, { command: 'sleep 1.5' });
    await new Promise((r) => setTimeout(r, 500));
    await idle();
    const ending = Date.now();
    expect((await slow).body.exitCode).toBe(0);
    expect(Date.parse(await lastActivity())).toBeGreaterThanOrEqual(ending - 100);
    await stack.client.delete(`/sandbox/${own.id}`);
  });

  it('kills what a session started when it is deleted, and sessions end with their sandbox', async () => {
    const own = await stack.createStarted();
    const ownSession = (path = '') => `/toolbox/${own.id}/process/session${path}`;
    await stack.client.post(ownSession(), { sessionId: 'bg' });
    await stack.client.post(ownSession('/bg/exec'), { command: 'sleep 4731 &' });
    await stack.client.post(ownSession(), { sessionId: 'kept' });
    await stack.client.post(ownSession('/kept/exec'), { command: 'sleep 4732 &' });
    expect(processesMatching('sleep 4731')).toHaveLength(1);
    expect((await stack.client.delete(ownSession('/bg'))).status).toBe(204);
    await new Promise((r) => setTimeout(r, 200));
    expect(processesMatching('sleep 4731')).toEqual([]);
    expectErrorBody(await stack.client.get(ownSession('/bg')), 404, 'session_not_found');
    expect((await stack.client.get(ownSession())).body.map((s: { sessionId: string }) => s.sessionId)).toEqual(['kept']);

    expect((await stack.client.delete(`/sandbox/${own.id}`)).body.state).toBe('destroyed');
    expect(processesMatching('sleep 4732')).toEqual([]);
    expectErrorBody(await stack.client.get(ownSession()), 404, 'sandbox_not_found');
    expectErrorBody(await stack.client.post(`/toolbox/${own.id}/process/execute`, { command: 'true' }), 404, 'sandbox_not_found');
  });
});
