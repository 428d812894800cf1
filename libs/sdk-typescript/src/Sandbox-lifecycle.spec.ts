import { SandboxState } from '@daytonaio/api-client';
import { DaytonaConflictError, DaytonaSandboxStateError, DaytonaTimeoutError, DaytonaValidationError } from './errors.js';
import { errorBody, sandboxDto, useStubApi } from './testing/stub-api.js';

describe('sandbox lifecycle: start, stop and the intervals', () => {
  const api = useStubApi();

  async function sandboxIn(state: SandboxState, overrides: Partial<ReturnType<typeof sandboxDto>> = {}) {
    const dto = sandboxDto({ name: 'life-00001', state, ...overrides });
    api.stub.on('GET', `/sandbox/${dto.name}`, { body: dto });
    return { dto, sandbox: await api.daytona.get(dto.name) };
  }

  it('start posts to the sandbox by id and polls until it is started', async () => {
    const { dto, sandbox } = await sandboxIn('stopped');
    api.stub.on('POST', `/sandbox/${dto.id}/start`, { body: { ...dto, state: 'starting' } });
    api.stub.onSequence('GET', `/sandbox/${dto.id}`, [{ body: { ...dto, state: 'starting' } }, { body: { ...dto, state: 'started' } }]);

    await sandbox.start(10);

    expect(sandbox.state).toBe(SandboxState.STARTED);
    expect(api.stub.requestsTo('POST', `/sandbox/${dto.id}/start`)).toHaveLength(1);
    expect(api.stub.requestsTo('GET', `/sandbox/${dto.id}`)).toHaveLength(2);
  });

  it('start answers without polling when the server says started at once', async () => {
    const { dto, sandbox } = await sandboxIn('stopped');
    api.stub.on('POST', `/sandbox/${dto.id}/start`, { body: { ...dto, state: 'started' } });
    await api.daytona.start(sandbox);
    expect(sandbox.state).toBe(SandboxState.STARTED);
    expect(api.stub.requestsTo('GET', `/sandbox/${dto.id}`)).toHaveLength(0);
  });

  it('stop sends force, polls until stopped, and the fields follow the server', async () => {
    const { dto, sandbox } = await sandboxIn('started');
    api.stub.on('POST', `/sandbox/${dto.id}/stop`, { body: { ...dto, state: 'stopping' } });
    api.stub.on('GET', `/sandbox/${dto.id}`, { body: { ...dto, state: 'stopped', updatedAt: '2026-01-01T00:01:00.000Z' } });

    await sandbox.stop(10, true);

    expect(api.stub.requestsTo('POST', `/sandbox/${dto.id}/stop`)[0].url).toBe(`/api/sandbox/${dto.id}/stop?force=true`);
    expect(sandbox.state).toBe(SandboxState.STOPPED);
    expect(sandbox.updatedAt).toEqual(new Date('2026-01-01T00:01:00.000Z'));
  });

  it('daytona.stop stops the sandbox given; force is false by default', async () => {
    const { dto, sandbox } = await sandboxIn('started');
    api.stub.on('POST', `/sandbox/${dto.id}/stop`, { body: { ...dto, state: 'stopped' } });
    await api.daytona.stop(sandbox);
    expect(api.stub.requestsTo('POST', `/sandbox/${dto.id}/stop`)[0].url).toBe(`/api/sandbox/${dto.id}/stop?force=false`);
    expect(sandbox.state).toBe(SandboxState.STOPPED);
  });

  it('start of a sandbox that cannot start is DaytonaConflictError with the server’s code and state', async () => {
    const { dto, sandbox } = await sandboxIn('destroyed');
    api.stub.on('POST', `/sandbox/${dto.id}/start`, {
      status: 409,
      body: errorBody(409, 'sandbox_state_conflict', 'Sandbox "life-00001" is destroyed: only a sandbox stopped can be started', {
        state: 'destroyed',
      }),
    });
    const attempt = sandbox.start();
    await expect(attempt).rejects.toBeInstanceOf(DaytonaConflictError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 409, code: 'sandbox_state_conflict', details: { state: 'destroyed' } });
  });

  it('a sandbox that falls into error while stopping is DaytonaSandboxStateError with the reason', async () => {
    const { dto, sandbox } = await sandboxIn('started');
    api.stub.on('POST', `/sandbox/${dto.id}/stop`, { body: { ...dto, state: 'stopping' } });
    api.stub.on('GET', `/sandbox/${dto.id}`, { body: { ...dto, state: 'error', errorReason: 'runner lost' } });
    const error = await sandbox.stop(10).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DaytonaSandboxStateError);
    expect((error as Error).message).toMatch(/is error and will not stop: runner lost/);
  });

  it('stop gives up with DaytonaTimeoutError while the sandbox stays stopping', async () => {
    const { dto, sandbox } = await sandboxIn('started');
    api.stub.on('POST', `/sandbox/${dto.id}/stop`, { body: { ...dto, state: 'stopping' } });
    api.stub.on('GET', `/sandbox/${dto.id}`, { body: { ...dto, state: 'stopping' } });
    await expect(sandbox.stop(0.5)).rejects.toThrow(/still stopping after 0.5 s/);
    await expect(sandbox.waitUntilStopped(0.3)).rejects.toBeInstanceOf(DaytonaTimeoutError);
  });

  it('start is retried after a 503, being idempotent', async () => {
    const { dto, sandbox } = await sandboxIn('stopped');
    api.stub.onSequence('POST', `/sandbox/${dto.id}/start`, [
      { status: 503, body: errorBody(503, 'runner_unavailable', 'busy'), headers: { 'retry-after': '0' } },
      { body: { ...dto, state: 'started' } },
    ]);
    await sandbox.start(10);
    expect(api.stub.requestsTo('POST', `/sandbox/${dto.id}/start`)).toHaveLength(2);
  });

  it('setAutostopInterval and setAutoDeleteInterval post the minutes and take the answer', async () => {
    const { dto, sandbox } = await sandboxIn('started');
    expect([sandbox.autoStopInterval, sandbox.autoDeleteInterval]).toEqual([15, -1]);
    api.stub.on('POST', `/sandbox/${dto.id}/autostop/60`, { body: { ...dto, autoStopInterval: 60 } });
    api.stub.on('POST', `/sandbox/${dto.id}/autodelete/0`, { body: { ...dto, autoStopInterval: 60, autoDeleteInterval: 0 } });

    await sandbox.setAutostopInterval(60);
    expect(sandbox.autoStopInterval).toBe(60);
    await sandbox.setAutoDeleteInterval(0);
    expect([sandbox.autoStopInterval, sandbox.autoDeleteInterval]).toEqual([60, 0]);
  });

  it('an interval the server refuses is DaytonaValidationError with the field', async () => {
    const { dto, sandbox } = await sandboxIn('started');
    api.stub.on('POST', `/sandbox/${dto.id}/autostop/-5`, {
      status: 400,
      body: errorBody(400, 'validation_failed', 'interval must not be less than 0', { field: 'interval' }),
    });
    await expect(sandbox.setAutostopInterval(-5)).rejects.toMatchObject({
      constructor: DaytonaValidationError,
      code: 'validation_failed',
      details: { field: 'interval' },
    });
    expect(sandbox.autoStopInterval).toBe(15);
  });
});
