import { SandboxStateWaiters } from '../src/sandbox/services/sandbox-state-waiters.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, type ApiClient } from './support/http.js';
import { startRedisServer, type RunningRedis } from './support/redis-server.js';
import { startTestApi, TEST_DEFAULT_IMAGE, type TestApi } from './support/test-api.js';

/**
 * The API's side of the lifecycle, with the test speaking the runner's protocol over HTTP.
 * Real runners are exercised in runner-sandboxes.int-spec.ts.
 */
describe('sandbox states across API instances', () => {
  let redis: RunningRedis;
  let api1: TestApi;
  let api2: TestApi;
  let client: ApiClient;
  let runner: RegisteredRunner;
  let runnerClient: ApiClient;

  beforeAll(async () => {
    redis = await startRedisServer();
    api1 = await startTestApi({ REDIS_URL: redis.url });
    api2 = await startTestApi({ REDIS_URL: redis.url }, api1.databaseUrl);
    await seedGeneralDefaults(api1.dataSource);
    const organization = await createOrganization(api1.dataSource);
    client = apiClient(api1.url, await createApiKey(api1.dataSource, organization.id));
    runner = await registerRunner(api1.url, { cpu: 100, memory: 100, disk: 100 });
    runnerClient = apiClient(api1.url, runner.token);
  });
  afterAll(async () => {
    await api2.close();
    await api1.close();
    await redis.stop();
  });

  const report = (updates: Array<{ id: string; state: string; errorReason?: string }>) =>
    runnerClient.post('/runners/sandbox-states', { updates });

  it('a state change made through instance 1 reaches a waiter on instance 2 through Redis', async () => {
    const sandbox = (await client.post('/sandbox', {})).body;
    const waiters = api2.app.get(SandboxStateWaiters);
    // The database is re-read only at the start, so only the bus can deliver the change in time.
    const waiting = waiters.waitUntilSettled([sandbox.id], { timeoutMs: 5_000, recheckIntervalMs: 60_000 });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    expect((await report([{ id: sandbox.id, state: 'starting' }, { id: sandbox.id, state: 'started' }])).status).toBe(200);
    expect(await waiting).toBe('settled');
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(waiters.watchedCount).toBe(0);
  });

  it('times out without error, and stops waiting when aborted', async () => {
    const sandbox = (await client.post('/sandbox', {})).body;
    const waiters = api2.app.get(SandboxStateWaiters);
    expect(await waiters.waitUntilSettled([sandbox.id], { timeoutMs: 200 })).toBe('timeout');
    const controller = new AbortController();
    const waiting = waiters.waitUntilSettled([sandbox.id], { timeoutMs: 10_000, signal: controller.signal });
    controller.abort();
    expect(await waiting).toBe('aborted');
    expect(waiters.watchedCount).toBe(0);
  });

  it('finds a change missed by the bus when it re-reads the database', async () => {
    const sandbox = (await client.post('/sandbox', {})).body;
    await api1.dataSource.query(`UPDATE sandbox SET state = 'started' WHERE id = $1`, [sandbox.id]);
    const waiters = api2.app.get(SandboxStateWaiters);
    expect(await waiters.waitUntilSettled([sandbox.id], { timeoutMs: 5_000 })).toBe('settled');
  });

  it('never brings back a destroyed sandbox, and ignores other runners\' sandboxes', async () => {
    const destroyed = (await client.post('/sandbox', {})).body;
    // This runner never answers, so the delete waits in `destroying` for the runner's word.
    expect((await client.delete(`/sandbox/${destroyed.id}`)).body.state).toBe('destroying');
    await report([{ id: destroyed.id, state: 'started' }]);
    expect((await client.get(`/sandbox/${destroyed.id}`)).body.state).toBe('destroying');
    await report([{ id: destroyed.id, state: 'destroyed' }]);
    await report([{ id: destroyed.id, state: 'started' }]);
    expect((await client.get(`/sandbox/${destroyed.id}`)).body.state).toBe('destroyed');

    const mine = (await client.post('/sandbox', {})).body;
    const other = await registerRunner(api1.url, { cpu: 1, memory: 1, disk: 1 });
    await apiClient(api1.url, other.token).post('/runners/sandbox-states', { updates: [{ id: mine.id, state: 'started' }] });
    expect((await client.get(`/sandbox/${mine.id}`)).body.state).toBe('creating');
  });

  it('brings a sandbox back from error when its runner reports it running and the quota has room', async () => {
    const failed = (await client.post('/sandbox', {})).body;
    await report([{ id: failed.id, state: 'error', errorReason: 'bwrap failed' }]);
    expect((await client.get(`/sandbox/${failed.id}`)).body).toMatchObject({ state: 'error', errorReason: 'bwrap failed' });
    expect((await report([{ id: failed.id, state: 'started' }])).body).toEqual({ applied: 1, rejected: [] });
    expect((await client.get(`/sandbox/${failed.id}`)).body).toMatchObject({ state: 'started', errorReason: null, desiredState: 'started' });
  });

  it('destroys instead a sandbox that comes back from error when its quota has been taken meanwhile', async () => {
    const small = await createOrganization(api1.dataSource, { totalCpuQuota: 2 });
    const smallClient = apiClient(api1.url, await createApiKey(api1.dataSource, small.id));
    const failed = (await smallClient.post('/sandbox', {})).body;
    await report([{ id: failed.id, state: 'error', errorReason: 'runner lost' }]);
    // The error freed its cpu; two new sandboxes take the whole quota.
    expect((await smallClient.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'fill' }] })).status).toBe(200);

    expect((await report([{ id: failed.id, state: 'started' }])).body).toEqual({ applied: 0, rejected: [] });
    const after = (await smallClient.get(`/sandbox/${failed.id}`)).body;
    expect(after).toMatchObject({ state: 'error', desiredState: 'destroyed' });
    expect(after.errorReason).toMatch(/^runner lost; .*being destroyed/);
    // The runner's next sync is told to destroy it; its report of that completes the destroy.
    expect((await runnerClient.post('/runners/sync', { sandboxes: [{ id: failed.id, state: 'started' }], images: [] })).body.destroy).toEqual([failed.id]);
    await report([{ id: failed.id, state: 'destroyed' }]);
    expect((await smallClient.get(`/sandbox/${failed.id}`)).body.state).toBe('destroyed');
  });

  it('applies the usable updates of a report and answers which it rejected', async () => {
    const sandbox = (await client.post('/sandbox', {})).body;
    const answer = await report([
      { id: 'not-one-of-ours', state: 'started' },
      { id: sandbox.id, state: 'flying' },
      { id: sandbox.id, state: 'started', errorReason: null, extra: true } as never,
      { id: sandbox.id, state: 'starting' },
    ]);
    expect(answer.status).toBe(200);
    expect(answer.body.applied).toBe(1);
    expect(answer.body.rejected.map((r: { index: number }) => r.index)).toEqual([1, 2]);
    expect(answer.body.rejected[0].reason).toMatch(/^state: /);
    expect((await client.get(`/sandbox/${sandbox.id}`)).body.state).toBe('starting');
    expect((await runnerClient.post('/runners/sandbox-states', { updates: 'none' })).body).toMatchObject({
      statusCode: 400,
      code: 'validation_failed',
      details: { field: 'updates' },
    });
  });

  it('lists what a restarting runner should hold', async () => {
    const kept = (await client.post('/sandbox', { env: { A: '1' } })).body;
    const { body } = await runnerClient.get('/runners/sandboxes');
    const assignment = body.sandboxes.find((s: { id: string }) => s.id === kept.id);
    expect(assignment).toEqual({
      id: kept.id,
      name: kept.name,
      snapshotRef: TEST_DEFAULT_IMAGE,
      cpu: 1,
      memory: 1,
      disk: 1,
      env: { A: '1' },
      networkBlockAll: true,
      desiredState: 'started',
      state: 'creating',
      recoverable: false,
    });
    expect(body.sandboxes.every((s: { state: string }) => s.state !== 'destroyed')).toBe(true);
  });
});

describe('reconciler', () => {
  let api: TestApi;
  let client: ApiClient;

  beforeAll(async () => {
    api = await startTestApi({
      RECONCILE_INTERVAL_MS: '100',
      RUNNER_HEARTBEAT_TIMEOUT_SECONDS: '1',
      SANDBOX_START_TIMEOUT_SECONDS: '2',
    });
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    client = apiClient(api.url, await createApiKey(api.dataSource, organization.id));
  });
  afterAll(() => api.close());

  async function stateEventually(id: string, state: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const sandbox = (await client.get(`/sandbox/${id}`)).body;
      if (sandbox.state === state) return sandbox;
      if (Date.now() > deadline) throw new Error(`${id} is ${sandbox.state}, expected ${state}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('fails the sandboxes of a runner that stopped heartbeating, and stops placing on it', async () => {
    const silent = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
    const sandbox = (await client.post('/sandbox', {})).body;
    expect(sandbox.runnerId).toBe(silent.id);
    const failed = await stateEventually(sandbox.id, 'error', 5_000);
    expect(failed.errorReason).toMatch(/stopped responding/);
    expect((await client.post('/sandbox', {})).body.code).toBe('insufficient_capacity');
  });

  it('fails a sandbox that does not start in time, with a reason', async () => {
    const alive = await registerRunner(api.url, { cpu: 10, memory: 10, disk: 10 });
    const heartbeat = setInterval(() => void apiClient(api.url, alive.token).post('/runners/heartbeat'), 200);
    try {
      const sandbox = (await client.post('/sandbox', {})).body;
      const failed = await stateEventually(sandbox.id, 'error', 6_000);
      expect(failed.errorReason).toBe('Did not start within 2 s');
    } finally {
      clearInterval(heartbeat);
    }
  });
});
