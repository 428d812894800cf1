import { callApi, createApiClients } from './api-calls.js';
import { bulkCreateWithProgress, type BulkCreateProgress } from './bulk-create-stream.js';
import { Daytona } from './Daytona.js';
import { DaytonaConflictError, DaytonaTimeoutError } from './errors.js';
import { Sandbox } from './Sandbox.js';
import { errorBody, FakeClock, progressLines, sandboxDto, useStubApi } from './testing/stub-api.js';

const items = [{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'prog' }];

describe('bulkCreate with onProgress', () => {
  const api = useStubApi();

  it('asks for NDJSON, hands each state line to onProgress in order, and answers the result line', async () => {
    const [a, b] = [sandboxDto({ name: 'prog-00001' }), sandboxDto({ name: 'prog-00002' })];
    const final = [{ ...a, state: 'started' as const }, { ...b, state: 'error' as const, errorReason: 'image has no /bin/sh' }];
    api.stub.on('POST', '/sandbox/bulk', {
      stream: progressLines(
        [
          { ...a, state: 'creating' },
          { ...b, state: 'creating' },
          { ...a, state: 'started' },
          { ...b, state: 'error', errorReason: 'image has no /bin/sh' },
        ],
        final,
      ),
    });
    const heard: BulkCreateProgress[] = [];

    const sandboxes = await api.daytona.bulkCreate(items, { awaitStarted: true, onProgress: (progress) => heard.push(progress) });

    const [request] = api.stub.requestsTo('POST', '/sandbox/bulk');
    expect(request.headers.accept).toBe('application/x-ndjson');
    expect(request.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(request.body).toEqual({ items, awaitStarted: true });
    expect(heard).toEqual([
      { id: a.id, name: 'prog-00001', state: 'creating', errorReason: undefined },
      { id: b.id, name: 'prog-00002', state: 'creating', errorReason: undefined },
      { id: a.id, name: 'prog-00001', state: 'started', errorReason: undefined },
      { id: b.id, name: 'prog-00002', state: 'error', errorReason: 'image has no /bin/sh' },
    ]);
    expect(sandboxes.every((sandbox) => sandbox instanceof Sandbox)).toBe(true);
    expect(sandboxes.map((sandbox) => [sandbox.name, sandbox.state, sandbox.errorReason])).toEqual([
      ['prog-00001', 'started', undefined],
      ['prog-00002', 'error', 'image has no /bin/sh'],
    ]);
  });

  it('reports each line as it arrives, before the server has written the next', async () => {
    const dto = sandboxDto({ name: 'prog-00001' });
    let firstHeard!: () => void;
    const heardFirst = new Promise<void>((resolve) => (firstHeard = resolve));
    async function* lines() {
      const [creating, started, result] = progressLines([{ ...dto, state: 'creating' }, { ...dto, state: 'started' }], [{ ...dto, state: 'started' }]);
      // Split inside a line too: the client must join pieces into lines.
      yield creating.slice(0, 10);
      yield creating.slice(10);
      await heardFirst; // the rest is held back until the client has reported the first line
      yield started + result;
    }
    api.stub.on('POST', '/sandbox/bulk', { stream: lines() });
    const heard: string[] = [];

    await api.daytona.bulkCreate(items, {
      awaitStarted: true,
      onProgress: ({ state }) => {
        heard.push(state);
        firstHeard();
      },
    });

    expect(heard).toEqual(['creating', 'started']);
  });

  it('a stream cut off before its result is retried with the same Idempotency-Key, and onProgress hears both attempts', async () => {
    const stub = api.stub;
    const dto = sandboxDto({ name: 'prog-00001' });
    stub.onSequence('POST', '/sandbox/bulk', [
      { stream: progressLines([{ ...dto, state: 'creating' }]), cut: true },
      { stream: progressLines([{ ...dto, state: 'starting' }, { ...dto, state: 'started' }], [{ ...dto, state: 'started' }]) },
    ]);
    const clock = new FakeClock();
    const daytona = new Daytona({ apiKey: 'test-key', apiUrl: stub.url }, clock);
    const heard: string[] = [];

    const sandboxes = await daytona.bulkCreate(items, { awaitStarted: true, onProgress: ({ state }) => heard.push(state) });

    const requests = stub.requestsTo('POST', '/sandbox/bulk');
    expect(requests).toHaveLength(2);
    expect(requests[1].headers['idempotency-key']).toBe(requests[0].headers['idempotency-key']);
    expect(clock.sleeps).toHaveLength(1);
    expect(heard).toEqual(['creating', 'starting', 'started']);
    expect(sandboxes.map((sandbox) => sandbox.state)).toEqual(['started']);
  });

  it('an error status arrives as the API’s error, with code and details read from the body', async () => {
    api.stub.on('POST', '/sandbox/bulk', {
      status: 409,
      body: errorBody(409, 'name_conflict', 'Sandbox names already in use: prog-00001', { names: ['prog-00001'] }),
    });
    const attempt = api.daytona.bulkCreate(items, { awaitStarted: true, onProgress: () => undefined });
    await expect(attempt).rejects.toBeInstanceOf(DaytonaConflictError);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 409,
      code: 'name_conflict',
      message: 'Sandbox names already in use: prog-00001',
      details: { names: ['prog-00001'] },
    });
  });

  it('an error thrown by onProgress ends the call with that very error, without a retry', async () => {
    const dto = sandboxDto({ name: 'prog-00001' });
    api.stub.on('POST', '/sandbox/bulk', { stream: progressLines([{ ...dto, state: 'creating' }], [dto]) });
    const mine = new RangeError('enough');
    const attempt = api.daytona.bulkCreate(items, {
      awaitStarted: true,
      onProgress: () => {
        throw mine;
      },
    });
    await expect(attempt).rejects.toBe(mine);
    expect(api.stub.requestsTo('POST', '/sandbox/bulk')).toHaveLength(1);
  });

  it('without awaitStarted, onProgress is not called and the answer is the plain JSON one', async () => {
    const dto = sandboxDto({ name: 'prog-00001' });
    api.stub.on('POST', '/sandbox/bulk', { body: [dto] });
    const heard: BulkCreateProgress[] = [];
    const sandboxes = await api.daytona.bulkCreate(items, { onProgress: (progress) => heard.push(progress) });
    expect(api.stub.requestsTo('POST', '/sandbox/bulk')[0].headers.accept).not.toBe('application/x-ndjson');
    expect(heard).toEqual([]);
    expect(sandboxes.map((sandbox) => sandbox.id)).toEqual([dto.id]);
  });

  it('a server that answers plain JSON anyway still gives the sandboxes', async () => {
    const dto = sandboxDto({ name: 'prog-00001', state: 'started' });
    api.stub.on('POST', '/sandbox/bulk', { body: [dto] });
    const heard: BulkCreateProgress[] = [];
    const sandboxes = await api.daytona.bulkCreate(items, { awaitStarted: true, onProgress: (progress) => heard.push(progress) });
    expect(api.stub.requestsTo('POST', '/sandbox/bulk')[0].headers.accept).toBe('application/x-ndjson');
    expect(heard).toEqual([]);
    expect(sandboxes.map((sandbox) => [sandbox.id, sandbox.state])).toEqual([[dto.id, 'started']]);
  });

  it('a stream that stalls past the call’s deadline is a DaytonaTimeoutError', async () => {
    const dto = sandboxDto({ name: 'prog-00001' });
    async function* stall() {
      yield progressLines([{ ...dto, state: 'creating' }])[0];
      await new Promise(() => undefined);
    }
    api.stub.on('POST', '/sandbox/bulk', { stream: stall() });
    const clients = createApiClients({ apiKey: 'test-key', apiUrl: api.stub.url, requestTimeout: 60, maxRetries: 3 });
    const heard: string[] = [];
    const started = Date.now();

    const attempt = callApi(
      (request) => bulkCreateWithProgress(clients.sandbox, { items, awaitStarted: true }, 'key-1', request, ({ state }) => heard.push(state)),
      0.3,
      clients.retry,
    );

    await expect(attempt).rejects.toBeInstanceOf(DaytonaTimeoutError);
    await expect(attempt).rejects.toThrow(/within 0.3 s/);
    expect(heard).toEqual(['creating']);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});
