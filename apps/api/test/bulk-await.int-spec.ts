import { SandboxStateWaiters } from '../src/sandbox/services/sandbox-state-waiters.js';
import { createApiKey, createOrganization, registerRunner, seedGeneralDefaults, type RegisteredRunner } from './support/factories.js';
import { apiClient, type ApiClient } from './support/http.js';
import { startTestApi, type TestApi } from './support/test-api.js';

/**
 * awaitStarted against a runner played by the test over the runner protocol, so that the test
 * decides when (and whether) sandboxes start. Real bubblewrap runners: runner-sandboxes.int-spec.ts.
 */
describe('POST /sandbox/bulk with awaitStarted', () => {
  let api: TestApi;
  let client: ApiClient;
  let apiKey: string;
  let runner: RegisteredRunner;

  beforeAll(async () => {
    api = await startTestApi({ BULK_AWAIT_TIMEOUT_SECONDS: '2' });
    await seedGeneralDefaults(api.dataSource);
    const organization = await createOrganization(api.dataSource);
    apiKey = await createApiKey(api.dataSource, organization.id);
    client = apiClient(api.url, apiKey);
    runner = await registerRunner(api.url, { cpu: 100, memory: 100, disk: 100 });
  });
  afterAll(() => api.close());

  async function assignedIds(prefix: string, count: number): Promise<string[]> {
    for (;;) {
      const { body } = await apiClient(api.url, runner.token).get('/runners/sandboxes');
      const ids = body.sandboxes
        .filter((s: { name: string }) => s.name.startsWith(`${prefix}-`))
        .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name))
        .map((s: { id: string }) => s.id);
      if (ids.length === count) return ids;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const reportStarted = (ids: string[]) =>
    apiClient(api.url, runner.token).post('/runners/sandbox-states', { updates: ids.map((id) => ({ id, state: 'started' })) });

  it('answers at the timeout with the states reached when the runner never reports (not an error)', async () => {
    const started = Date.now();
    const result = await client.post('/sandbox/bulk', {
      items: [{ snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'silent' }],
      awaitStarted: true,
    });
    const elapsed = Date.now() - started;
    expect(result.status).toBe(200);
    expect(result.body.map((s: { state: string }) => s.state)).toEqual(['creating', 'creating', 'creating']);
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('answers as soon as every sandbox is started or failed, with their current states', async () => {
    const pending = client.post('/sandbox/bulk', {
      items: [{ snapshotIdOrName: 'default', count: 3, sandboxNamePrefix: 'mixed' }],
      awaitStarted: true,
    });
    const ids = await assignedIds('mixed', 3);
    await apiClient(api.url, runner.token).post('/runners/sandbox-states', {
      updates: [
        { id: ids[0], state: 'started' },
        { id: ids[1], state: 'error', errorReason: 'no space left' },
        { id: ids[2], state: 'started' },
      ],
    });
    const result = await pending;
    expect(result.status).toBe(200);
    expect(result.body.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['mixed-00001', 'started'],
      ['mixed-00002', 'error'],
      ['mixed-00003', 'started'],
    ]);
    expect(result.body[1].errorReason).toBe('no space left');
  });

  it('serves two concurrent awaiting requests', async () => {
    const first = client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 4, sandboxNamePrefix: 'one' }], awaitStarted: true });
    const second = client.post('/sandbox/bulk', { items: [{ snapshotIdOrName: 'default', count: 4, sandboxNamePrefix: 'two' }], awaitStarted: true });
    const ids = [...(await assignedIds('one', 4)), ...(await assignedIds('two', 4))];
    await reportStarted(ids);
    const [a, b] = await Promise.all([first, second]);
    expect(a.body.every((s: { state: string }) => s.state === 'started')).toBe(true);
    expect(b.body.every((s: { state: string }) => s.state === 'started')).toBe(true);
    expect(api.app.get(SandboxStateWaiters).watchedCount).toBe(0);
  });

  it('drops the wait when the client disconnects, and keeps the sandboxes', async () => {
    const waiters = api.app.get(SandboxStateWaiters);
    const controller = new AbortController();
    const pending = fetch(`${api.url}/sandbox/bulk`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ items: [{ snapshotIdOrName: 'default', count: 2, sandboxNamePrefix: 'gone' }], awaitStarted: true }),
      signal: controller.signal,
    }).catch((error: Error) => error);
    await assignedIds('gone', 2);
    expect(waiters.watchedCount).toBe(2);
    controller.abort();
    expect(((await pending) as { name?: string }).name).toBe('AbortError');
    for (let i = 0; i < 50 && waiters.watchedCount > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(waiters.watchedCount).toBe(0);
    expect((await client.get('/sandbox/gone-00002')).body.state).toBe('creating');
  });
});
