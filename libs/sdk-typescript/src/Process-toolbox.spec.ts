import { DaytonaConflictError, DaytonaNotFoundError, DaytonaValidationError } from './errors.js';
import { errorBody, sandboxDto, useStubApi } from './testing/stub-api.js';

describe('sandbox.process: code runs and sessions', () => {
  const api = useStubApi();
  const dto = sandboxDto({ name: 'proc-00001', state: 'started' });
  const base = `/toolbox/${dto.id}/process`;
  beforeEach(() => api.stub.on('GET', `/sandbox/${dto.name}`, { body: dto }));
  const process = async () => (await api.daytona.get(dto.name)).process;

  it('codeRun posts the code with argv, envs and timeout, and answers exit code and output', async () => {
    api.stub.on('POST', `${base}/code-run`, { body: { exitCode: 0, result: 'hi\n' } });
    const response = await (await process()).codeRun('import sys; print(sys.argv[1])', { argv: ['hi'], env: { A: '1' } }, 5);
    expect(response).toEqual({ exitCode: 0, result: 'hi\n' });
    expect(api.stub.requestsTo('POST', `${base}/code-run`)[0].body).toEqual({
      code: 'import sys; print(sys.argv[1])',
      argv: ['hi'],
      envs: { A: '1' },
      timeout: 5,
    });
  });

  it('codeRun without an interpreter is DaytonaValidationError interpreter_not_found, not retried', async () => {
    api.stub.on('POST', `${base}/code-run`, { status: 422, body: errorBody(422, 'interpreter_not_found', 'no node on PATH') });
    await expect((await process()).codeRun('console.log(1)')).rejects.toMatchObject({
      constructor: DaytonaValidationError,
      statusCode: 422,
      code: 'interpreter_not_found',
    });
    expect(api.stub.requestsTo('POST', `${base}/code-run`)[0].body).toEqual({ code: 'console.log(1)' });
  });

  it('a session is created, run in, read and deleted through its routes', async () => {
    const session = { sessionId: 'build', commands: [{ id: 'c1', command: 'cd app', exitCode: 0 }] };
    api.stub.on('POST', `${base}/session`, { status: 204 });
    api.stub.on('GET', `${base}/session`, { body: [session] });
    api.stub.on('GET', `${base}/session/build`, { body: session });
    api.stub.on('POST', `${base}/session/build/exec`, { body: { cmdId: 'c2', exitCode: 0, output: 'ok\n', stdout: 'ok\n', stderr: '' } });
    api.stub.on('GET', `${base}/session/build/command/c2`, { body: { id: 'c2', command: 'echo ok', exitCode: 0 } });
    api.stub.on('GET', `${base}/session/build/command/c2/logs`, { body: { output: 'ok\n', stdout: 'ok\n', stderr: '', truncated: false } });
    api.stub.on('DELETE', `${base}/session/build`, { status: 204 });
    const proc = await process();

    await proc.createSession('build');
    expect(await proc.listSessions()).toEqual([session]);
    expect(await proc.getSession('build')).toEqual(session);
    expect(await proc.executeSessionCommand('build', { command: 'echo ok', runAsync: false })).toMatchObject({ cmdId: 'c2', exitCode: 0, output: 'ok\n' });
    expect(await proc.getSessionCommand('build', 'c2')).toEqual({ id: 'c2', command: 'echo ok', exitCode: 0 });
    expect(await proc.getSessionCommandLogs('build', 'c2')).toEqual({ output: 'ok\n', stdout: 'ok\n', stderr: '', truncated: false });
    await proc.deleteSession('build');

    expect(api.stub.requestsTo('POST', `${base}/session`)[0].body).toEqual({ sessionId: 'build' });
    expect(api.stub.requestsTo('POST', `${base}/session/build/exec`)[0].body).toEqual({ command: 'echo ok', runAsync: false });
    expect(api.stub.requestsTo('DELETE', `${base}/session/build`)).toHaveLength(1);
  });

  it('a session that does not exist is DaytonaNotFoundError session_not_found; a taken id DaytonaConflictError session_exists', async () => {
    api.stub.on('GET', `${base}/session/nope`, { status: 404, body: errorBody(404, 'session_not_found', 'No session "nope"') });
    api.stub.on('POST', `${base}/session/nope/exec`, { status: 404, body: errorBody(404, 'session_not_found', 'No session "nope"') });
    api.stub.on('POST', `${base}/session`, { status: 409, body: errorBody(409, 'session_exists', 'taken') });
    const proc = await process();
    await expect(proc.getSession('nope')).rejects.toMatchObject({ constructor: DaytonaNotFoundError, code: 'session_not_found' });
    await expect(proc.executeSessionCommand('nope', { command: 'true' })).rejects.toMatchObject({ constructor: DaytonaNotFoundError, code: 'session_not_found' });
    await expect(proc.createSession('build')).rejects.toMatchObject({ constructor: DaytonaConflictError, code: 'session_exists' });
  });
});
