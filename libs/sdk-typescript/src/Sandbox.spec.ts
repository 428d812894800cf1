import { SandboxState } from '@daytonaio/api-client';
import { DaytonaNotFoundError, DaytonaSandboxStateError, DaytonaTimeoutError } from './errors.js';
import { sandboxDto, useStubApi } from './testing/stub-api.js';

describe('Sandbox', () => {
  const api = useStubApi();

  /** A sandbox as bulkCreate (without awaitStarted) hands it back, whose later reads are `states`. */
  async function creatingSandbox(states: Array<Partial<ReturnType<typeof sandboxDto>>>) {
    const dto = sandboxDto({ name: 'waiting-00001', state: 'creating' });
    api.stub.on('POST', '/sandbox/bulk', { body: [dto] });
    api.stub.onSequence('GET', `/sandbox/${dto.id}`, states.map((fields) => ({ body: { ...dto, ...fields } })));
    const [sandbox] = await api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'waiting' }]);
    return sandbox;
  }

  describe('waitUntilStarted', () => {
    it('polls until the sandbox is started and keeps its fields current', async () => {
      const sandbox = await creatingSandbox([
        { state: 'creating' },
        { state: 'starting' },
        { state: 'started', updatedAt: '2026-01-01T00:00:05.000Z' },
      ]);
      expect(sandbox.state).toBe(SandboxState.CREATING);

      await sandbox.waitUntilStarted(10);

      expect(sandbox.state).toBe(SandboxState.STARTED);
      expect(sandbox.updatedAt).toEqual(new Date('2026-01-01T00:00:05.000Z'));
      expect(api.stub.requestsTo('GET', `/sandbox/${sandbox.id}`)).toHaveLength(3);
    });

    it('returns at once, without a request, for a sandbox already started', async () => {
      const dto = sandboxDto({ state: 'started' });
      api.stub.on('POST', '/sandbox/bulk', { body: [dto] });
      const [sandbox] = await api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 's' }], { awaitStarted: true });
      await sandbox.waitUntilStarted();
      expect(api.stub.requestsTo('GET', `/sandbox/${dto.id}`)).toHaveLength(0);
    });

    it.each([
      ['error', 'runner lost the sandbox'],
      ['build_failed', 'snapshot is broken'],
    ])('throws DaytonaSandboxStateError with the reason as soon as the sandbox is %s', async (state, reason) => {
      const sandbox = await creatingSandbox([{ state: 'starting' }, { state: state as SandboxState, errorReason: reason }]);
      const started = Date.now();
      const error = await sandbox.waitUntilStarted(30).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DaytonaSandboxStateError);
      expect(error).toMatchObject({ sandboxId: sandbox.id, state, errorReason: reason });
      expect((error as Error).message).toContain(reason);
      expect(Date.now() - started).toBeLessThan(5_000);
    });

    it('throws DaytonaSandboxStateError when the sandbox is deleted while waiting', async () => {
      const sandbox = await creatingSandbox([{ state: 'destroying' }]);
      await expect(sandbox.waitUntilStarted(10)).rejects.toThrow(DaytonaSandboxStateError);
    });

    it('gives up with DaytonaTimeoutError after the timeout, naming the state it is stuck in', async () => {
      const sandbox = await creatingSandbox([{ state: 'starting' }]);
      const started = Date.now();
      const error = await sandbox.waitUntilStarted(0.5).catch((caught: unknown) => caught);
      const elapsed = Date.now() - started;
      expect(error).toBeInstanceOf(DaytonaTimeoutError);
      expect((error as Error).message).toMatch(/"waiting-00001".*still starting after 0.5 s/);
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(2_000);
    });

    it('stays bounded when the API stops answering mid-wait', async () => {
      const dto = sandboxDto({ state: 'creating' });
      api.stub.on('POST', '/sandbox/bulk', { body: [dto] });
      api.stub.on('GET', `/sandbox/${dto.id}`, { hang: true });
      const [sandbox] = await api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'h' }]);
      const started = Date.now();
      await expect(sandbox.waitUntilStarted(0.5)).rejects.toThrow(DaytonaTimeoutError);
      // At most the timeout plus the floor given to the last status request (1 s).
      expect(Date.now() - started).toBeLessThan(2_500);
    });
  });

  it('refresh re-reads the sandbox; an error from the API propagates', async () => {
    const sandbox = await creatingSandbox([{ state: 'started', errorReason: null }]);
    await sandbox.refresh();
    expect(sandbox.state).toBe(SandboxState.STARTED);

    api.stub.on('GET', `/sandbox/${sandbox.id}`, { status: 404, body: { statusCode: 404, code: 'sandbox_not_found', message: 'gone' } });
    await expect(sandbox.refresh()).rejects.toBeInstanceOf(DaytonaNotFoundError);
  });

  it('serializes to its plain fields for logging', async () => {
    const sandbox = await creatingSandbox([]);
    expect(JSON.parse(JSON.stringify(sandbox))).toMatchObject({ id: sandbox.id, name: 'waiting-00001', state: 'creating' });
  });
});
