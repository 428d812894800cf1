import { DaytonaConflictError, DaytonaTimeoutError } from './errors.js';
import { errorBody, sandboxDto, useStubApi } from './testing/stub-api.js';

describe('sandbox.process.executeCommand', () => {
  const api = useStubApi();
  const dto = sandboxDto({ name: 'runner-00001', state: 'started' });
  const executePath = `/toolbox/${dto.id}/toolbox/process/execute`;
  beforeEach(() => api.stub.on('GET', `/sandbox/${dto.name}`, { body: dto }));

  it('posts the command to the sandbox’s toolbox, by id, and returns exit code and output', async () => {
    api.stub.on('POST', executePath, { body: { exitCode: 0, result: 'hello\n' } });
    const sandbox = await api.daytona.get(dto.name);

    expect(await sandbox.process.executeCommand('echo hello')).toEqual({ exitCode: 0, result: 'hello\n' });
    expect(api.stub.requestsTo('POST', executePath)[0].body).toEqual({ command: 'echo hello' });
  });

  it('sends cwd, env and timeout when given', async () => {
    api.stub.on('POST', executePath, { body: { exitCode: 3, result: 'boom\n' } });
    const sandbox = await api.daytona.get(dto.name);

    const result = await sandbox.process.executeCommand('make test', '/home/daytona/app', { CI: '1' }, 5);

    expect(result).toEqual({ exitCode: 3, result: 'boom\n' });
    expect(api.stub.requestsTo('POST', executePath)[0].body).toEqual({
      command: 'make test',
      cwd: '/home/daytona/app',
      env: { CI: '1' },
      timeout: 5,
    });
  });

  it('a sandbox that is not started gives DaytonaConflictError with code sandbox_not_started', async () => {
    api.stub.on('POST', executePath, {
      status: 409,
      body: errorBody(409, 'sandbox_not_started', 'Sandbox "runner-00001" is creating, not started', { state: 'creating' }),
    });
    const sandbox = await api.daytona.get(dto.name);
    const attempt = sandbox.process.executeCommand('true');
    await expect(attempt).rejects.toBeInstanceOf(DaytonaConflictError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 409, code: 'sandbox_not_started', details: { state: 'creating' } });
  });

  it('waits longer than the command timeout before giving up on the answer', async () => {
    api.stub.on('POST', executePath, { hang: true });
    const sandbox = await api.daytona.get(dto.name);
    const attempt = sandbox.process.executeCommand('sleep 100', undefined, undefined, 1);
    // The server answers up to 15 s after the command's timeout: the client must still be waiting.
    const outcome = await Promise.race([attempt.then(() => 'answered', () => 'failed'), delay(1_500).then(() => 'waiting')]);
    expect(outcome).toBe('waiting');
    await api.stub.stop(); // drop the hanging connection so the call ends
    await expect(attempt).rejects.not.toBeInstanceOf(DaytonaTimeoutError);
  });
});

function delay(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
