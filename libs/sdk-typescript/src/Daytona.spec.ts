import { SandboxState } from '@daytonaio/api-client';
import { DaytonaSandboxStateError, DaytonaTimeoutError, DaytonaValidationError } from './errors.js';
import { Sandbox } from './Sandbox.js';
import { errorBody, sandboxDto, useStubApi } from './testing/stub-api.js';

describe('Daytona', () => {
  const api = useStubApi();

  describe('bulkCreate', () => {
    it('sends the items and awaitStarted=false by default, and answers with Sandbox objects in order', async () => {
      const answer = [
        sandboxDto({ name: 'batch-a-00001' }),
        sandboxDto({ name: 'batch-a-00002' }),
        sandboxDto({ name: 'gpu-00001', snapshot: 'big', cpu: 4, labels: { team: 'eval' } }),
      ];
      api.stub.on('POST', '/sandbox/bulk', { body: answer });
      const items = [
        { snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'batch-a' },
        { snapshotIdOrName: 'big', count: 5, sandboxNamePrefix: 'gpu', allowUnder: true },
      ];

      const sandboxes = await api.daytona.bulkCreate(items);

      const [request] = api.stub.requestsTo('POST', '/sandbox/bulk');
      expect(request.body).toEqual({ items, awaitStarted: false });
      expect(request.headers.authorization).toBe('Bearer test-key');
      expect(sandboxes.every((sandbox) => sandbox instanceof Sandbox)).toBe(true);
      expect(sandboxes.map((sandbox) => [sandbox.id, sandbox.name, sandbox.state])).toEqual(
        answer.map((dto) => [dto.id, dto.name, dto.state]),
      );
      expect(sandboxes[2]).toMatchObject({ snapshot: 'big', cpu: 4, memory: 1, disk: 1, labels: { team: 'eval' } });
      expect(sandboxes[2].createdAt).toEqual(new Date(answer[2].createdAt));
      // allowUnder: the caller counts what came back per prefix.
      expect(sandboxes.filter((sandbox) => sandbox.name.startsWith('gpu-'))).toHaveLength(1);
    });

    it('sends awaitStarted=true when asked, and each returned sandbox runs commands', async () => {
      const answer = [sandboxDto({ name: 'b-00001', state: 'started' }), sandboxDto({ name: 'b-00002', state: 'started' })];
      api.stub.on('POST', '/sandbox/bulk', { body: answer });
      for (const dto of answer) {
        api.stub.on('POST', `/toolbox/${dto.id}/toolbox/process/execute`, { body: { exitCode: 0, result: `hello from ${dto.name}\n` } });
      }

      const sandboxes = await api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'b' }], {
        awaitStarted: true,
        timeout: 120,
      });
      const results = await Promise.all(sandboxes.map((sandbox) => sandbox.process.executeCommand('echo hello')));

      expect(api.stub.requestsTo('POST', '/sandbox/bulk')[0].body).toMatchObject({ awaitStarted: true });
      expect(sandboxes.map((sandbox) => sandbox.state)).toEqual([SandboxState.STARTED, SandboxState.STARTED]);
      expect(results).toEqual([
        { exitCode: 0, result: 'hello from b-00001\n' },
        { exitCode: 0, result: 'hello from b-00002\n' },
      ]);
    });

    it('passes a server validation error through as DaytonaValidationError with the server’s code', async () => {
      api.stub.on('POST', '/sandbox/bulk', {
        status: 400,
        body: errorBody(400, 'validation_failed', 'count must not be less than 1', { field: 'items.0.count' }),
      });
      const attempt = api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 0, sandboxNamePrefix: 'x' }]);
      await expect(attempt).rejects.toBeInstanceOf(DaytonaValidationError);
      await expect(attempt).rejects.toMatchObject({ code: 'validation_failed', details: { field: 'items.0.count' } });
    });

    it('gives up at the client-side timeout and says the sandboxes may exist, by name', async () => {
      api.stub.on('POST', '/sandbox/bulk', { hang: true });
      const started = Date.now();
      const attempt = api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'slow' }], { timeout: 0.3 });
      await expect(attempt).rejects.toBeInstanceOf(DaytonaTimeoutError);
      await expect(attempt).rejects.toThrow(/within 0.3 s.*look them up by name \(slow-00001/);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });

  describe('create', () => {
    it('creates a sandbox with the given fields and waits until it is started', async () => {
      const dto = sandboxDto({ name: 'scratch', labels: { team: 'eval' } });
      api.stub.on('POST', '/sandbox', { body: dto });
      api.stub.onSequence('GET', `/sandbox/${dto.id}`, [{ body: { ...dto, state: 'starting' } }, { body: { ...dto, state: 'started' } }]);

      const sandbox = await api.daytona.create({ name: 'scratch', env: { A: '1' }, labels: { team: 'eval' } });

      expect(api.stub.requestsTo('POST', '/sandbox')[0].body).toEqual({ name: 'scratch', env: { A: '1' }, labels: { team: 'eval' } });
      expect(sandbox.state).toBe(SandboxState.STARTED);
      expect(api.stub.requestsTo('GET', `/sandbox/${dto.id}`)).toHaveLength(2);
    });

    it('throws DaytonaSandboxStateError with the reason when the sandbox fails to start', async () => {
      const dto = sandboxDto({ name: 'doomed' });
      api.stub.on('POST', '/sandbox', { body: dto });
      api.stub.on('GET', `/sandbox/${dto.id}`, { body: { ...dto, state: 'error', errorReason: 'bwrap: no such file' } });
      const attempt = api.daytona.create({ name: 'doomed' }, { timeout: 10 });
      await expect(attempt).rejects.toBeInstanceOf(DaytonaSandboxStateError);
      await expect(attempt).rejects.toThrow(/"doomed".*is error.*bwrap: no such file/);
    });
  });

  it('get finds a sandbox by id or name', async () => {
    const dto = sandboxDto({ name: 'named' });
    api.stub.on('GET', '/sandbox/named', { body: dto });
    const sandbox = await api.daytona.get('named');
    expect(sandbox).toBeInstanceOf(Sandbox);
    expect(sandbox.id).toBe(dto.id);
  });

  it('list sends states, labels as JSON, page and limit, and wraps each item', async () => {
    const dtos = [sandboxDto({ name: 'one' }), sandboxDto({ name: 'two' })];
    api.stub.on('GET', '/sandbox', { body: { items: dtos, total: 12, page: 2, limit: 2, totalPages: 6 } });

    const result = await api.daytona.list({ states: [SandboxState.STARTED, SandboxState.ERROR], labels: { team: 'eval' }, page: 2, limit: 2 });

    const query = new URL(api.stub.requests[0].url, 'http://x').searchParams;
    expect(query.getAll('states')).toEqual(['started', 'error']);
    expect(JSON.parse(query.get('labels')!)).toEqual({ team: 'eval' });
    expect([query.get('page'), query.get('limit')]).toEqual(['2', '2']);
    expect(result).toMatchObject({ total: 12, page: 2, limit: 2, totalPages: 6 });
    expect(result.items.map((sandbox) => sandbox.name)).toEqual(['one', 'two']);
    expect(result.items[0]).toBeInstanceOf(Sandbox);
  });

  it('delete accepts a Sandbox (whose state then reads destroyed) or an id or name', async () => {
    const dto = sandboxDto({ name: 'gone', state: 'started' });
    api.stub.on('DELETE', `/sandbox/${dto.id}`, { body: { ...dto, state: 'destroyed' } });
    api.stub.on('DELETE', '/sandbox/by-name', { body: sandboxDto({ name: 'by-name', state: 'destroyed' }) });
    api.stub.on('GET', '/sandbox/gone', { body: dto });

    const sandbox = await api.daytona.get('gone');
    await api.daytona.delete(sandbox);
    await api.daytona.delete('by-name');

    expect(sandbox.state).toBe(SandboxState.DESTROYED);
    expect(api.stub.requests.filter((request) => request.method === 'DELETE').map((request) => request.url)).toEqual([
      `/api/sandbox/${dto.id}`,
      '/api/sandbox/by-name',
    ]);
  });
});
