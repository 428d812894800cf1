import { SandboxState } from '@daytonaio/api-client';
import { DaytonaSandboxStateError, DaytonaTimeoutError, DaytonaValidationError } from './errors.js';
import { BULK_REQUEST_LABEL, Sandbox } from './Sandbox.js';
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

  describe('bulkCreate with labels and env', () => {
    it('sends each item’s labels and env, and each sandbox reads its request’s id as bulkRequestId', async () => {
      const requestLabel = { [BULK_REQUEST_LABEL]: 'a6f1c8c2-1111-4111-8111-111111111111' };
      const answer = [
        sandboxDto({ name: 'la-00001', labels: { run: 'eval-7', ...requestLabel }, env: { EVAL_RUN: '7' } }),
        sandboxDto({ name: 'plain-00001', labels: requestLabel }),
      ];
      api.stub.on('POST', '/sandbox/bulk', { body: answer });
      const items = [
        { snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'la', labels: { run: 'eval-7' }, env: { EVAL_RUN: '7' } },
        { snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'plain' },
      ];

      const sandboxes = await api.daytona.bulkCreate(items);

      expect(api.stub.requestsTo('POST', '/sandbox/bulk')[0].body).toEqual({ items, awaitStarted: false });
      expect(sandboxes.map((sandbox) => sandbox.bulkRequestId)).toEqual([requestLabel[BULK_REQUEST_LABEL], requestLabel[BULK_REQUEST_LABEL]]);
      expect(sandboxes[0]).toMatchObject({ labels: { run: 'eval-7', ...requestLabel }, env: { EVAL_RUN: '7' } });
    });

    it('a sandbox from create has no bulkRequestId', async () => {
      api.stub.on('POST', '/sandbox', { body: sandboxDto({ state: 'started', labels: { team: 'eval' } }) });
      expect((await api.daytona.create()).bulkRequestId).toBeUndefined();
    });

    it('a reserved label is the server’s DaytonaValidationError reserved_label', async () => {
      api.stub.on('POST', '/sandbox/bulk', { status: 400, body: errorBody(400, 'reserved_label', 'daytona.io/ is the platform’s') });
      const attempt = api.daytona.bulkCreate([{ snapshotIdOrName: 'default', count: 1, sandboxNamePrefix: 'r', labels: { 'daytona.io/x': '1' } }]);
      await expect(attempt).rejects.toMatchObject({ constructor: DaytonaValidationError, statusCode: 400, code: 'reserved_label' });
    });
  });

  describe('bulkDelete', () => {
    it('sends the selector, calls again while the server says hasMore, and answers the total', async () => {
      api.stub.onSequence('POST', '/sandbox/bulk-delete', [
        { body: { count: 10_000, hasMore: true } },
        { body: { count: 10_000, hasMore: true } },
        { body: { count: 7, hasMore: false } },
      ]);
      const selector = { labels: { run: 'eval-7' }, namePrefix: 'eval-7-', ids: ['0b0e3f5c-1111-4111-8111-111111111111'] };

      expect(await api.daytona.bulkDelete(selector)).toBe(20_007);

      expect(api.stub.requestsTo('POST', '/sandbox/bulk-delete').map((request) => request.body)).toEqual([selector, selector, selector]);
    });

    it('sends only the selectors given and answers 0 when nothing matched', async () => {
      api.stub.on('POST', '/sandbox/bulk-delete', { body: { count: 0, hasMore: false } });
      expect(await api.daytona.bulkDelete({ labels: { run: 'none' } })).toBe(0);
      expect(api.stub.requestsTo('POST', '/sandbox/bulk-delete')[0].body).toEqual({ labels: { run: 'none' } });
    });

    it('stops when a round marks nothing, even if the server says more match', async () => {
      api.stub.onSequence('POST', '/sandbox/bulk-delete', [{ body: { count: 5, hasMore: true } }, { body: { count: 0, hasMore: true } }]);
      expect(await api.daytona.bulkDelete({ namePrefix: 'stuck-' })).toBe(5);
      expect(api.stub.requestsTo('POST', '/sandbox/bulk-delete')).toHaveLength(2);
    });

    it('an empty selector is the server’s 400 empty_selector, as DaytonaValidationError', async () => {
      api.stub.on('POST', '/sandbox/bulk-delete', {
        status: 400,
        body: errorBody(400, 'empty_selector', 'Name at least one of labels, namePrefix or ids', { selectors: ['labels', 'namePrefix', 'ids'] }),
      });
      const attempt = api.daytona.bulkDelete({});
      await expect(attempt).rejects.toBeInstanceOf(DaytonaValidationError);
      await expect(attempt).rejects.toMatchObject({ statusCode: 400, code: 'empty_selector' });
      expect(api.stub.requestsTo('POST', '/sandbox/bulk-delete')).toHaveLength(1);
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

    it('with waitUntilStarted: false answers the new sandbox at once, without polling', async () => {
      const dto = sandboxDto({ name: 'later', state: 'creating' });
      api.stub.on('POST', '/sandbox', { body: dto });

      const sandbox = await api.daytona.create({ name: 'later' }, { waitUntilStarted: false });

      expect([sandbox.id, sandbox.state]).toEqual([dto.id, SandboxState.CREATING]);
      expect(api.stub.requestsTo('GET', `/sandbox/${dto.id}`)).toHaveLength(0);
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
    api.stub.on('GET', '/sandbox', { body: { items: dtos, total: 12, page: 2, limit: 2, totalPages: 6, nextCursor: null } });

    const result = await api.daytona.list({ states: [SandboxState.STARTED, SandboxState.ERROR], labels: { team: 'eval' }, page: 2, limit: 2 });

    const query = new URL(api.stub.requests[0].url, 'http://x').searchParams;
    expect(query.getAll('states')).toEqual(['started', 'error']);
    expect(JSON.parse(query.get('labels')!)).toEqual({ team: 'eval' });
    expect([query.get('page'), query.get('limit')]).toEqual(['2', '2']);
    expect(result).toMatchObject({ total: 12, page: 2, limit: 2, totalPages: 6 });
    expect(result.items.map((sandbox) => sandbox.name)).toEqual(['one', 'two']);
    expect(result.items[0]).toBeInstanceOf(Sandbox);
  });

  it('list pages by cursor, with a name prefix and a sort, and hands back the next cursor', async () => {
    api.stub.on('GET', '/sandbox', { body: { items: [sandboxDto()], total: 3, page: 1, limit: 1, totalPages: 3, nextCursor: 'c2' } });

    const result = await api.daytona.list({ cursor: 'c1', name: 'eval-', sort: 'name', order: 'asc', limit: 1 });

    const query = new URL(api.stub.requests[0].url, 'http://x').searchParams;
    expect(Object.fromEntries(query)).toEqual({ cursor: 'c1', name: 'eval-', sort: 'name', order: 'asc', limit: '1' });
    expect(result.nextCursor).toBe('c2');
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
