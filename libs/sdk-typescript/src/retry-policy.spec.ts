import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { DaytonaConfig } from './config.js';
import { Daytona } from './Daytona.js';
import {
  DaytonaConflictError,
  DaytonaConnectionError,
  DaytonaRateLimitError,
  DaytonaServerError,
  DaytonaTimeoutError,
  DaytonaValidationError,
} from './errors.js';
import { errorBody, FakeClock, sandboxDto, snapshotDto, StubApi } from './testing/stub-api.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const unavailable = (headers?: Record<string, string>) => ({ status: 503, body: errorBody(503, 'database_unavailable', 'try later'), headers });
const item = { snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'retry' };

describe('retries of idempotent calls', () => {
  let stub: StubApi;
  let clock: FakeClock;
  /** A client of the stub whose waits go to `clock` (jitter draws 0.999 unless told). */
  const client = (config: DaytonaConfig = {}, draw = 0.999) => {
    clock = new FakeClock(draw);
    return new Daytona({ apiKey: 'test-key', apiUrl: stub.url, ...config }, clock);
  };
  const keysSentTo = (method: string, path: string) => stub.requestsTo(method, path).map((request) => request.headers['idempotency-key']);

  beforeEach(async () => {
    stub = await new StubApi().start();
  });
  afterEach(() => stub.stop());

  it('create and bulkCreate send a fresh UUID Idempotency-Key per call, or the caller’s own', async () => {
    stub.on('POST', '/sandbox', { body: sandboxDto({ state: 'started' }) });
    stub.on('POST', '/sandbox/bulk', { body: [sandboxDto()] });
    const daytona = client();

    await daytona.create();
    await daytona.create();
    await daytona.create({}, { idempotencyKey: 'my-create-1' });
    await daytona.bulkCreate([item]);
    await daytona.bulkCreate([item], { idempotencyKey: 'my-bulk-1' });

    const [first, second, own] = keysSentTo('POST', '/sandbox');
    expect([first, second]).toEqual([expect.stringMatching(UUID), expect.stringMatching(UUID)]);
    expect(first).not.toBe(second);
    expect(own).toBe('my-create-1');
    expect(keysSentTo('POST', '/sandbox/bulk')).toEqual([expect.stringMatching(UUID), 'my-bulk-1']);
  });

  it('a bulk create whose answer is cut off midway is sent again with the same key, and answers once', async () => {
    const dtos = [sandboxDto({ name: 'retry-00001' }), sandboxDto({ name: 'retry-00002' })];
    stub.onSequence('POST', '/sandbox/bulk', [{ body: dtos, cut: true }, { body: dtos }]);

    const sandboxes = await client({}, 0.5).bulkCreate([item]);

    expect(sandboxes.map((sandbox) => sandbox.name)).toEqual(['retry-00001', 'retry-00002']);
    const keys = keysSentTo('POST', '/sandbox/bulk');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    expect(stub.requestsTo('POST', '/sandbox/bulk').map((request) => request.body)).toEqual([
      { items: [item], awaitStarted: false },
      { items: [item], awaitStarted: false },
    ]);
    expect(clock.sleeps).toEqual([250]); // half of the first retry's 500 ms ceiling
  });

  it('retries the snapshot reads, deletes and polls, but never a snapshot create (it has no Idempotency-Key)', async () => {
    const pending = snapshotDto({ name: 'py' });
    stub.onSequence('POST', '/snapshots', [{ body: pending }, unavailable()]);
    stub.onSequence('GET', `/snapshots/${pending.id}`, [unavailable(), { body: { ...pending, state: 'active' } }]);
    stub.onSequence('GET', '/snapshots', [unavailable(), { body: { items: [pending], total: 1, page: 1, totalPages: 1 } }]);
    stub.onSequence('DELETE', '/snapshots/py', [unavailable(), { status: 200 }]);
    const daytona = client();

    expect((await daytona.snapshot.create({ name: 'py', image: 'py:1' }, { timeout: 30 })).state).toBe('active');
    expect((await daytona.snapshot.list()).items.map((snapshot) => snapshot.name)).toEqual(['py']);
    await daytona.snapshot.delete('py');
    await expect(daytona.snapshot.create({ name: 'py2', image: 'py:1' })).rejects.toBeInstanceOf(DaytonaServerError);

    expect(stub.requestsTo('POST', '/snapshots')).toHaveLength(2);
    expect(stub.requestsTo('GET', `/snapshots/${pending.id}`)).toHaveLength(2);
    expect(stub.requestsTo('GET', '/snapshots')).toHaveLength(2);
    expect(stub.requestsTo('DELETE', '/snapshots/py')).toHaveLength(2);
  });

  it('a create whose connection is reset is sent again with the same key', async () => {
    const dto = sandboxDto({ name: 'once', state: 'started' });
    stub.onSequence('POST', '/sandbox', [{ reset: true }, { reset: true }, { body: dto }]);

    const sandbox = await client().create({ name: 'once' });

    expect(sandbox.id).toBe(dto.id);
    const keys = keysSentTo('POST', '/sandbox');
    expect(keys).toEqual([keys[0], keys[0], keys[0]]);
    expect(clock.sleeps.map(Math.round)).toEqual([500, 999]); // full jitter below 500, then 1000 ms
  });

  it('a refused connection is tried 1 + maxRetries times, then is DaytonaConnectionError', async () => {
    const port = await closedPort();
    clock = new FakeClock(0.999);
    const daytona = new Daytona({ apiKey: 'k', apiUrl: `http://127.0.0.1:${port}/api`, maxRetries: 2 }, clock);

    await expect(daytona.list()).rejects.toBeInstanceOf(DaytonaConnectionError);
    expect(clock.sleeps.map(Math.round)).toEqual([500, 999]);
  });

  it('a 503 without Retry-After backs off with full jitter, doubling up to 8 s, until maxRetries', async () => {
    stub.on('GET', '/sandbox/busy', unavailable());
    const daytona = client({ maxRetries: 6, requestTimeout: 600 });

    const error = await daytona.get('busy').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DaytonaServerError);
    expect(error).toMatchObject({ statusCode: 503, code: 'database_unavailable' });
    expect(stub.requestsTo('GET', '/sandbox/busy')).toHaveLength(7);
    expect(clock.sleeps.map(Math.round)).toEqual([500, 999, 1998, 3996, 7992, 7992]);
  });

  it('each wait is a random fraction of its ceiling (full jitter)', async () => {
    stub.onSequence('GET', '/sandbox/busy', [unavailable(), unavailable(), { body: sandboxDto() }]);
    await client({}, 0.1).get('busy');
    expect(clock.sleeps.map(Math.round)).toEqual([50, 100]);
  });

  it('a 429 with Retry-After in seconds waits exactly that long', async () => {
    stub.onSequence('GET', '/sandbox/slow-down', [
      { status: 429, body: errorBody(429, 'rate_limited', 'slow down'), headers: { 'retry-after': '2' } },
      { body: sandboxDto({ name: 'slow-down' }) },
    ]);

    const sandbox = await client().get('slow-down');

    expect(sandbox.name).toBe('slow-down');
    expect(clock.sleeps).toEqual([2000]);
  });

  it('a 503 with Retry-After as an HTTP date waits until that date', async () => {
    const at = new Date(Date.now() + 5_000).toUTCString(); // whole seconds: 4-5 s from now
    stub.onSequence('DELETE', '/sandbox/later', [unavailable({ 'retry-after': at }), { body: sandboxDto({ state: 'destroyed' }) }]);

    await client().delete('later');

    expect(clock.sleeps).toHaveLength(1);
    expect(clock.sleeps[0]).toBeGreaterThan(3_000);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(5_000);
  });

  it('a Retry-After beyond the call’s deadline is not waited for: the error comes at once, with retryAfter', async () => {
    stub.on('GET', '/sandbox/x', { status: 429, body: errorBody(429, 'rate_limited', 'later'), headers: { 'retry-after': '30' } });

    const error = await client({ requestTimeout: 10 }).get('x').catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DaytonaRateLimitError);
    expect(error).toMatchObject({ retryAfter: 30 });
    expect(stub.requestsTo('GET', '/sandbox/x')).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('retries stop at the call’s deadline, however many maxRetries allows', async () => {
    stub.on('GET', '/sandbox/x', unavailable({ 'retry-after': '1' }));

    await expect(client({ requestTimeout: 2.5, maxRetries: 10 }).get('x')).rejects.toBeInstanceOf(DaytonaServerError);

    // t=0 and t=1 s: tried, then a wait to t=2 s; a wait to t=3 s would pass the 2.5 s deadline.
    expect(stub.requestsTo('GET', '/sandbox/x')).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('maxRetries: 0 makes one attempt only', async () => {
    stub.on('GET', '/sandbox/x', unavailable());
    await expect(client({ maxRetries: 0 }).get('x')).rejects.toBeInstanceOf(DaytonaServerError);
    expect(stub.requestsTo('GET', '/sandbox/x')).toHaveLength(1);
  });

  it('a 409 idempotency_key_in_progress is retried with the same key', async () => {
    stub.onSequence('POST', '/sandbox/bulk', [
      { status: 409, body: errorBody(409, 'idempotency_key_in_progress', 'still creating') },
      { body: [sandboxDto()] },
    ]);

    expect(await client().bulkCreate([item])).toHaveLength(1);
    const keys = keysSentTo('POST', '/sandbox/bulk');
    expect(keys).toEqual([keys[0], keys[0]]);
  });

  it.each([
    ['a command (it may have run)', 'POST', '/toolbox/sb-1/toolbox/process/execute', unavailable(), DaytonaServerError],
    ['a 500', 'GET', '/sandbox/sb-1', { status: 500, body: errorBody(500, 'internal_error', 'boom') }, DaytonaServerError],
    ['a 409 name_conflict', 'POST', '/sandbox', { status: 409, body: errorBody(409, 'name_conflict', 'taken') }, DaytonaConflictError],
    [
      'a 422 idempotency_key_reused',
      'POST',
      '/sandbox',
      { status: 422, body: errorBody(422, 'idempotency_key_reused', 'other body') },
      DaytonaValidationError,
    ],
  ])('does not retry %s', async (_what, method, path, answer, expected) => {
    stub.on(method, path, answer);
    stub.on('GET', '/sandbox/sb-1-name', { body: sandboxDto({ id: 'sb-1', state: 'started' }) });
    const daytona = client();
    const attempt =
      method === 'GET'
        ? daytona.get('sb-1')
        : path === '/sandbox'
          ? daytona.create({ name: 'x' })
          : daytona.get('sb-1-name').then((sandbox) => sandbox.process.executeCommand('date >> log'));

    await expect(attempt).rejects.toBeInstanceOf(expected);
    expect(stub.requestsTo(method, path)).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
  });

  it('does not retry a timeout: the call’s deadline has passed', async () => {
    stub.on('GET', '/sandbox/hangs', { hang: true });
    await expect(client({ requestTimeout: 0.3 }).get('hangs')).rejects.toBeInstanceOf(DaytonaTimeoutError);
    expect(stub.requestsTo('GET', '/sandbox/hangs')).toHaveLength(1);
  });

  it('a bulk create that cannot get through names its key, to repeat it without creating twice', async () => {
    stub.on('POST', '/sandbox/bulk', { reset: true });
    const error = await client({ maxRetries: 1 })
      .bulkCreate([item], { idempotencyKey: 'bulk-7' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DaytonaConnectionError);
    expect((error as Error).message).toMatch(/retry-00001.*idempotencyKey "bulk-7"/);
    expect(stub.requestsTo('POST', '/sandbox/bulk')).toHaveLength(2);
  });
});

/** A port that nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
